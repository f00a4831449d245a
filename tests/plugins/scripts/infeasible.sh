#!/bin/sh
# Test program: refuses the configuration as infeasible (and exits 1).
echo '{"state": "infeasible", "reason": "does not fit in 16 GB"}'
exit 1
