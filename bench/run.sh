#!/usr/bin/env bash
# End-to-end benchmark: kafkastore against the I/O floor, in one run.
# Usage: bash bench/run.sh [-lines N]   (make bench)
# Writes the table into bench/README.md between the markers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/ensure-tools
[ -x ./kafkastore ] || make build
table=$(go run ./bench/e2e "$@")
echo "$table"
python3 - "$table" <<'PY'
import re, sys
table = sys.argv[1]
path = "bench/README.md"
text = open(path).read()
start, end = "<!-- e2e:start -->", "<!-- e2e:end -->"
new = start + "\n" + table.strip() + "\n" + end
text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda m: new, text, flags=re.S)
open(path, "w").write(text)
PY
