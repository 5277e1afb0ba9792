//! `nianbao serve`: a small local web page for people who do not use a
//! terminal. They paste a report's text or drop a .txt/.html/.docx file and
//! see the HTML audit's rendering of it; `POST /api/check` returns the
//! `--format json` document.
//!
//! Routes: `GET /` the page; `POST /api/render?name=FILE` an HTML fragment
//! (the report's section of the audit page); `POST /api/check?name=FILE` the
//! JSON document. The request body is the file's bytes (pasted text as
//! UTF-8); `name` (percent-encoded) chooses the reader by its extension.
//! With `--review FILE`: each finding on the page can be confirmed or
//! dismissed; `POST /api/review?name=FILE&fingerprint=FP&decision=…&reason=…
//! &reviewer=…` (decision `confirmed`, `dismissed` or `reopen`; the body is
//! the report again) records the decision in the review file and returns the
//! fragment again; `GET /api/reviews` lists the file's decisions. Every
//! check shows the decisions.
//! Bound to 127.0.0.1 by default; the bound address is printed on standard
//! output (`nianbao serve: listening on http://127.0.0.1:PORT/`) so that a
//! caller that asked for port 0 can find it.

use crate::check::{Checker, RuleArgs};
use crate::review::{today, ReviewBook};
use miette::{Context, IntoDiagnostic};
use nianbao_engine::render::html::{write_alert, write_page_start, write_report};
use nianbao_engine::render::json::JsonRenderer;
use nianbao_engine::review::{Decision, DecisionRecord, Review};
use nianbao_engine::{Outcome, Renderer, ReportResult, Summary};
use std::io::{Read, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use tiny_http::{Header, Method, Request, Response, Server};

#[derive(clap::Args)]
pub struct Args {
    /// Port to listen on (0: any free port, printed on start).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on. Anything but a loopback address exposes the
    /// page to the network.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Largest upload accepted, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    max_size: u64,
    /// Keep reviewers' decisions in FILE (created on the first): each
    /// finding on the page can be confirmed or dismissed with a reason, and
    /// every check shows the decisions (docs/review.md).
    #[arg(long, value_name = "FILE")]
    review: Option<PathBuf>,
    #[command(flatten)]
    rule_args: RuleArgs,
}

/// Requests handled at once.
const WORKERS: usize = 4;

pub fn run(args: Args) -> miette::Result<ExitCode> {
    // The rules (built-in, configured, `--rules`) are compiled once, for every request.
    let checker = args.rule_args.checker(&args.rule_args.config()?)?;
    let review = args
        .review
        .as_deref()
        .map(|path| ReviewBook::load(path, true))
        .transpose()?
        .map(Mutex::new);
    let service = Service {
        checker,
        review,
        max_bytes: usize::try_from(args.max_size.saturating_mul(1 << 20)).unwrap_or(usize::MAX),
    };
    let server = Server::http((args.host, args.port))
        .map_err(|e| miette::miette!("{e}"))
        .wrap_err_with(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| miette::miette!("the server is not listening on an IP address"))?;
    println!("nianbao serve: listening on http://{addr}/");
    std::io::stdout().flush().into_diagnostic()?;
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                while let Ok(request) = server.recv() {
                    // A client that went away is no error of ours.
                    let _ = service.handle(request);
                }
            });
        }
    });
    Ok(ExitCode::SUCCESS)
}

fn respond(request: Request, status: u16, content_type: &str, body: Vec<u8>) -> std::io::Result<()> {
    let mut response = Response::from_data(body).with_status_code(status);
    let headers = [
        ("Content-Type", content_type),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
    ];
    for (name, value) in headers {
        // ASCII constants of this module: always valid.
        if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    request.respond(response)
}

const HTML: &str = "text/html; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";

/// What the client asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Api {
    Render,
    Check,
    /// Record a decision on a finding of the report sent, and render it again.
    Review,
}

/// Everything a request needs: the rules, and the review file if any.
struct Service {
    checker: Checker,
    review: Option<Mutex<ReviewBook>>,
    max_bytes: usize,
}

/// An error for the client: status and message, as HTML or JSON.
fn fail(request: Request, api: Api, status: u16, message: &str) -> std::io::Result<()> {
    match api {
        Api::Render | Api::Review => {
            let mut body = Vec::new();
            write_alert(&mut body, message)?;
            respond(request, status, HTML, body)
        }
        Api::Check => {
            let body = serde_json::json!({ "error": { "status": status, "message": message } });
            respond(request, status, JSON, body.to_string().into_bytes())
        }
    }
}

impl Service {
    fn handle(&self, mut request: Request) -> std::io::Result<()> {
        let url = request.url().to_string();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let api = match (request.method(), path) {
            (Method::Get, "/") => return respond(request, 200, HTML, page(self.review.is_some())?),
            (Method::Get, "/api/reviews") => return respond(request, 200, JSON, self.decisions()),
            (Method::Post, "/api/render") => Api::Render,
            (Method::Post, "/api/check") => Api::Check,
            (Method::Post, "/api/review") => Api::Review,
            (_, "/" | "/api/render" | "/api/check" | "/api/review" | "/api/reviews") => {
                return respond(
                    request,
                    405,
                    "text/plain; charset=utf-8",
                    "不支持此请求方法".into(),
                );
            }
            _ => return respond(request, 404, "text/plain; charset=utf-8", "没有这个页面".into()),
        };
        let max_bytes = self.max_bytes;
        let too_large = format!("文件太大：最多接受 {} MiB", max_bytes >> 20);
        if request.body_length().is_some_and(|n| n > max_bytes) {
            return fail(request, api, 413, &too_large);
        }
        let mut body = Vec::new();
        let read = request
            .as_reader()
            .take(u64::try_from(max_bytes).unwrap_or(u64::MAX).saturating_add(1))
            .read_to_end(&mut body);
        if read.is_err() {
            return fail(request, api, 400, "无法读取上传的内容");
        }
        if body.len() > max_bytes {
            return fail(request, api, 413, &too_large);
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return fail(
                request,
                api,
                400,
                "内容为空：请粘贴报告文本，或选择 .txt、.html、.docx 文件",
            );
        }
        let name = query_param(query, "name").unwrap_or_else(|| "粘贴的文本.txt".to_string());
        let keep_report = api != Api::Check;
        let (mut result, report) = self.checker.check_read(&name, &body, None, keep_report);
        if api == Api::Review {
            if let Err((status, message)) = self.decide(query, &result) {
                return fail(request, api, status, &message);
            }
        }
        if let Some(book) = &self.review {
            lock(book).apply(&mut result);
        }
        let status = match &result.outcome {
            Outcome::Failed(_) => 400,
            Outcome::Checked(_) => 200,
        };
        let mut out = Vec::new();
        match api {
            Api::Render | Api::Review => write_report(&mut out, 1, &result, report.as_ref())?,
            Api::Check => json_document(&mut out, &result)?,
        }
        respond(request, status, if api == Api::Check { JSON } else { HTML }, out)
    }

    /// Record the decision the query asks for (`fingerprint`, `decision`:
    /// confirmed, dismissed or reopen, `reason`, `reviewer`) on a finding
    /// of `result`, and save the review file.
    fn decide(&self, query: &str, result: &ReportResult) -> Result<(), (u16, String)> {
        let Some(book) = &self.review else {
            return Err((
                409,
                "未指定复核记录文件：请以 nianbao serve --review 文件 启动".to_string(),
            ));
        };
        let Outcome::Checked(checked) = &result.outcome else {
            return Err((400, "无法检查此文件，不能复核".to_string()));
        };
        let fingerprint = query_param(query, "fingerprint").unwrap_or_default();
        let Some(finding) = checked.findings.iter().find(|f| f.fingerprint == fingerprint) else {
            return Err((
                404,
                format!("报告中没有指纹为 {fingerprint} 的问题（报告已改动？请重新检查）"),
            ));
        };
        let reason = query_param(query, "reason").unwrap_or_default();
        let decision = match query_param(query, "decision").as_deref() {
            Some("confirmed") => Some(Decision::Confirmed),
            Some("dismissed") if reason.trim().is_empty() => {
                return Err((400, "排除须写明理由".to_string()));
            }
            Some("dismissed") => Some(Decision::Dismissed),
            Some("reopen") => None,
            other => return Err((400, format!("不认识的复核决定 {other:?}"))),
        };
        let mut book = lock(book);
        match decision {
            Some(decision) => {
                let review = Review {
                    decision,
                    reason: reason.trim().to_string(),
                    reviewer: query_param(query, "reviewer").unwrap_or_default(),
                    date: today(),
                };
                book.record(DecisionRecord::new(finding, &result.path, checked, review));
            }
            None => {
                book.remove_where(|_, e| e.fingerprint == fingerprint);
            }
        }
        book.save().map_err(|e| (500, format!("无法保存复核记录：{e}")))
    }

    /// The review file's decisions, as JSON.
    fn decisions(&self) -> Vec<u8> {
        let doc = match &self.review {
            None => serde_json::json!({ "file": null, "decisions": [] }),
            Some(book) => {
                let book = lock(book);
                serde_json::json!({ "file": book.path.display().to_string(), "decisions": book.entries })
            }
        };
        doc.to_string().into_bytes()
    }
}

/// The review book, also after a request that held it panicked (every
/// change to it is whole before the file is saved).
fn lock(book: &Mutex<ReviewBook>) -> std::sync::MutexGuard<'_, ReviewBook> {
    book.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The `--format json` document of one input (the JSON renderer's own).
fn json_document(out: &mut Vec<u8>, result: &ReportResult) -> std::io::Result<()> {
    let mut renderer = JsonRenderer::new();
    let mut summary = Summary::default();
    summary.add(result);
    renderer.start(out)?;
    renderer.report(out, result)?;
    renderer.finish(out, &summary)
}

/// A query parameter, percent-decoded and trimmed; `name` keeps only its
/// last path component (it names an upload, not a file here).
fn query_param(query: &str, key: &str) -> Option<String> {
    let value = query
        .split('&')
        .find_map(|p| p.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))?;
    let decoded = percent_encoding::percent_decode_str(&value.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned();
    let value = match key {
        "name" => decoded.rsplit(['/', '\\']).next().unwrap_or(""),
        _ => decoded.as_str(),
    }
    .trim()
    .to_string();
    (!value.is_empty()).then_some(value)
}

/// The page: a form to paste or drop a report, and where its audit appears;
/// with a review file, controls to confirm or dismiss each finding.
fn page(review: bool) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write_page_start(&mut out, "年报检查 · nianbao")?;
    if review {
        out.write_all(b"<script>document.body.setAttribute(\"data-review\", \"on\");</script>\n")?;
    }
    out.write_all(PAGE_BODY.as_bytes())?;
    Ok(out)
}

const PAGE_BODY: &str = r##"<h1>政府信息公开工作年度报告检查</h1>
<p>把年度报告的文字粘贴到下面，或者选择（拖入）一个 .txt、.html、.docx 文件。检查只在本机进行，报告不会发送到别处。</p>
<form id="form">
<p><label for="text">报告文字</label><br>
<textarea id="text" name="text" rows="12" style="width:100%" placeholder="在此粘贴报告全文……"></textarea></p>
<p><label for="file">或选择文件</label>
<input type="file" id="file" accept=".txt,.html,.htm,.docx,.json"></p>
<p><button type="submit">检查</button> <span id="status" role="status" aria-live="polite"></span></p>
</form>
<main id="result" aria-live="polite"></main>
<script>
(function () {
  var form = document.getElementById("form"), text = document.getElementById("text"),
      file = document.getElementById("file"), result = document.getElementById("result"),
      status = document.getElementById("status"), timer = null;
  var lastBody = null, lastName = "";
  function check(body, name, focusFirst) {
    lastBody = body;
    lastName = name;
    // Pasted text outlives a reload, so the page comes back with its decisions.
    try {
      if (typeof body === "string") { sessionStorage.setItem("nianbao-text", body); }
    } catch (e) { /* storage unavailable: nothing kept */ }
    status.textContent = "正在检查……";
    fetch("/api/render?name=" + encodeURIComponent(name), { method: "POST", body: body })
      .then(function (r) {
        return r.text().then(function (html) {
          // The fragment is nianbao's own markup, all report text escaped.
          result.innerHTML = html;
          addReviewControls();
          status.textContent = r.ok ? "检查完成" : "无法检查（" + r.status + "）";
          document.body.setAttribute("data-state", r.ok ? "done" : "failed");
          // Opened from a link: show the first finding's cell and message.
          var first = focusFirst && result.querySelector(".hit a");
          if (first) { first.focus(); }
        });
      })
      .catch(function (e) {
        status.textContent = "无法连接检查服务：" + e;
        document.body.setAttribute("data-state", "failed");
      });
  }
  function checkText(focusFirst) {
    if (text.value.trim()) { check(text.value, "粘贴的文本.txt", focusFirst); }
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); checkText(false); });
  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { checkText(false); }, 600);
  });
  file.addEventListener("change", function () { if (file.files[0]) { check(file.files[0], file.files[0].name, false); } });
  document.addEventListener("dragover", function (e) { e.preventDefault(); });
  document.addEventListener("drop", function (e) {
    e.preventDefault();
    var f = e.dataTransfer && e.dataTransfer.files[0];
    if (f) { check(f, f.name, false); }
  });
  // With a review file: confirm or dismiss each finding, with a reason.
  // The report is sent again with the decision: the server finds the
  // finding by its fingerprint in its own reading, never trusting the page.
  var reviewing = document.body.getAttribute("data-review") === "on";
  function addReviewControls() {
    if (!reviewing) { return; }
    var items = result.querySelectorAll("li.finding[data-fingerprint]");
    Array.prototype.forEach.call(items, function (li) {
      var fp = li.getAttribute("data-fingerprint"), state = li.getAttribute("data-review");
      var box = document.createElement("div");
      box.className = "review-controls";
      var reason = document.createElement("input");
      reason.type = "text";
      reason.className = "review-reason";
      reason.placeholder = "复核意见（排除时必填）";
      reason.setAttribute("aria-label", "复核意见");
      function button(label, decision, cls) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = label;
        b.className = cls;
        b.addEventListener("click", function () { decide(fp, decision, reason.value); });
        box.appendChild(b);
      }
      if (state === "open") {
        box.appendChild(reason);
        button("确认问题", "confirmed", "review-confirm");
        button("排除", "dismissed", "review-dismiss");
      } else {
        button("撤销复核", "reopen", "review-reopen");
      }
      li.appendChild(box);
    });
  }
  function decide(fp, decision, reason) {
    if (decision === "dismissed" && !reason.trim()) {
      status.textContent = "排除须写明理由";
      return;
    }
    var q = "name=" + encodeURIComponent(lastName) + "&fingerprint=" + encodeURIComponent(fp) +
            "&decision=" + decision + "&reason=" + encodeURIComponent(reason);
    status.textContent = "正在保存复核……";
    fetch("/api/review?" + q, { method: "POST", body: lastBody }).then(function (r) {
      return r.text().then(function (html) {
        if (r.ok) {
          result.innerHTML = html;
          addReviewControls();
          status.textContent = "复核已保存";
          document.body.setAttribute("data-state", "reviewed");
        } else {
          var div = document.createElement("div");
          div.innerHTML = html;
          status.textContent = "未能保存复核：" + div.textContent.trim();
        }
      });
    });
  }
  // A link can carry a report: #text=<percent-encoded text>.
  var kept = null;
  try { kept = sessionStorage.getItem("nianbao-text"); } catch (e) { kept = null; }
  if (location.hash.indexOf("#text=") === 0) {
    text.value = decodeURIComponent(location.hash.slice(6));
    checkText(true);
  } else if (kept) {
    text.value = kept;
    checkText(false);
  }
})();
</script>
</body>
</html>
"##;
