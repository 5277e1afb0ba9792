#!/usr/bin/env python3
"""Prints the versions of every converter used by export.py (for README.md)."""
import importlib.metadata as md
import subprocess


def first_line(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        text = (out.stdout or out.stderr).strip().splitlines()
        return text[0] if text else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"


def main():
    tools = [
        ("pandoc", ["pandoc", "--version"]),
        ("pdftotext", ["pdftotext", "-v"]),
        ("w3m", ["w3m", "-version"]),
        ("lynx", ["lynx", "-version"]),
        ("chromium", ["chromium", "--version"]),
        ("soffice", ["soffice", "--version"]),
        ("faketime", ["dpkg-query", "-W", "-f", "${Version}", "faketime"]),
        ("fonts-wqy-zenhei", ["dpkg-query", "-W", "-f", "${Version}", "fonts-wqy-zenhei"]),
    ]
    for name, cmd in tools:
        print(f"{name}: {first_line(cmd)}")
    for pkg in ["pypdf", "pdfplumber", "pdfminer.six", "pymupdf", "pymupdf-layout", "pymupdf4llm", "mammoth", "markdownify",
                "markitdown", "html2text", "beautifulsoup4", "python-docx",
                "docx2txt"]:
        try:
            print(f"{pkg}: {md.version(pkg)}")
        except md.PackageNotFoundError:
            print(f"{pkg}: not installed")
    print(f"python: {first_line(['python3', '--version'])}")


if __name__ == "__main__":
    main()
