#!/bin/sh
# Test program: about 9 MiB of output (control characters, quotes and a NUL
# byte included, which JSON escaping enlarges), then the metrics line.
awk 'BEGIN { s = ""; for (i = 0; i < 64; i++) s = s "\"\\\t\001x"; for (i = 0; i < 28000; i++) print s }'
printf 'a NUL byte: \000 here\n'
echo '{"y": 3, "lines": 28000}'
