#!/usr/bin/env bash
# Installs the converters used by tools/exporters/{generate,export}.py.
# Debian packages (apt-get) and PyPI packages (pip); nothing else is fetched.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# chromium may already be installed; apt-get skips what is there.
# faketime pins the clock Chromium prints in its page header; LibreOffice
# (Writer only, no GUI) makes word.pdf and the soffice text export.
$SUDO apt-get install -y -qq --no-install-recommends \
    pandoc poppler-utils w3m lynx chromium fonts-wqy-zenhei faketime \
    libreoffice-writer-nogui >/dev/null

# Pinned: the committed outputs were made with these versions (README.md).
python3 -m pip install --quiet --disable-pip-version-check \
    pypdf==7.1.1 pdfplumber==0.11.11 pdfminer.six==20260107 \
    pymupdf==2.0 pymupdf4llm==2.0 'markitdown[docx,pdf]==0.1.9' \
    html2text==2025.4.15 beautifulsoup4==4.15.0 python-docx==1.2.0 docx2txt==0.9

# Report the versions (copied into README.md).
python3 "$(dirname "$0")/versions.py"
