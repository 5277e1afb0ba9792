//! `nianbao serve`: a small local web page for people who do not use a
//! terminal. They paste a report's text or drop a .txt/.html/.docx file and
//! see the HTML audit's rendering of it; `POST /api/check` returns the
//! `--format json` document.
//!
//! Routes: `GET /` the page; `POST /api/render?name=FILE` an HTML fragment
//! (the report's section of the audit page); `POST /api/check?name=FILE` the
//! JSON document. The request body is the file's bytes (pasted text as
//! UTF-8); `name` (percent-encoded) chooses the reader by its extension.
//! Bound to 127.0.0.1 by default; the bound address is printed on standard
//! output (`nianbao serve: listening on http://127.0.0.1:PORT/`) so that a
//! caller that asked for port 0 can find it.

use crate::check::{Checker, RuleArgs};
use miette::{Context, IntoDiagnostic};
use nianbao_engine::render::html::{write_alert, write_page_start, write_report};
use nianbao_engine::render::json::JsonRenderer;
use nianbao_engine::{Outcome, Renderer, ReportResult, Summary};
use std::io::{Read, Write};
use std::net::IpAddr;
use std::process::ExitCode;
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
    #[command(flatten)]
    rule_args: RuleArgs,
}

/// Requests handled at once.
const WORKERS: usize = 4;

pub fn run(args: Args) -> miette::Result<ExitCode> {
    // The rules (built-in, configured, `--rules`) are compiled once, for every request.
    let checker = args.rule_args.checker(&args.rule_args.config()?)?;
    let server = Server::http((args.host, args.port))
        .map_err(|e| miette::miette!("{e}"))
        .wrap_err_with(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| miette::miette!("the server is not listening on an IP address"))?;
    println!("nianbao serve: listening on http://{addr}/");
    std::io::stdout().flush().into_diagnostic()?;
    let max_bytes = usize::try_from(args.max_size.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                while let Ok(request) = server.recv() {
                    // A client that went away is no error of ours.
                    let _ = handle(&checker, request, max_bytes);
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
}

/// An error for the client: status and message, as HTML or JSON.
fn fail(request: Request, api: Api, status: u16, message: &str) -> std::io::Result<()> {
    match api {
        Api::Render => {
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

fn handle(checker: &Checker, mut request: Request, max_bytes: usize) -> std::io::Result<()> {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let api = match (request.method(), path) {
        (Method::Get, "/") => return respond(request, 200, HTML, page()?),
        (Method::Post, "/api/render") => Api::Render,
        (Method::Post, "/api/check") => Api::Check,
        (_, "/" | "/api/render" | "/api/check") => {
            return respond(
                request,
                405,
                "text/plain; charset=utf-8",
                "不支持此请求方法".into(),
            );
        }
        _ => return respond(request, 404, "text/plain; charset=utf-8", "没有这个页面".into()),
    };
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
    let name = query_name(query).unwrap_or_else(|| "粘贴的文本.txt".to_string());
    let keep_report = api == Api::Render;
    let (result, report) = checker.check_read(&name, &body, None, keep_report);
    let status = match &result.outcome {
        Outcome::Failed(_) => 400,
        Outcome::Checked(_) => 200,
    };
    let mut out = Vec::new();
    match api {
        Api::Render => write_report(&mut out, 1, &result, report.as_ref())?,
        Api::Check => json_document(&mut out, &result)?,
    }
    respond(request, status, if api == Api::Render { HTML } else { JSON }, out)
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

/// The `name` query parameter, percent-decoded; only its last path
/// component is kept (it names an upload, not a file here).
fn query_name(query: &str) -> Option<String> {
    let value = query.split('&').find_map(|p| p.strip_prefix("name="))?;
    let decoded = percent_encoding::percent_decode_str(&value.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned();
    let last = decoded
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    (!last.is_empty()).then_some(last)
}

/// The page: a form to paste or drop a report, and where its audit appears.
fn page() -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write_page_start(&mut out, "年报检查 · nianbao")?;
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
  function check(body, name, focusFirst) {
    status.textContent = "正在检查……";
    fetch("/api/render?name=" + encodeURIComponent(name), { method: "POST", body: body })
      .then(function (r) {
        return r.text().then(function (html) {
          // The fragment is nianbao's own markup, all report text escaped.
          result.innerHTML = html;
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
  // A link can carry a report: #text=<percent-encoded text>.
  if (location.hash.indexOf("#text=") === 0) {
    text.value = decodeURIComponent(location.hash.slice(6));
    checkText(true);
  }
})();
</script>
</body>
</html>
"##;
