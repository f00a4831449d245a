#!/bin/sh
# Test program: starts a sleeper in a session of its own (it leaves the
# program's process group and session), says its pid, then outlives any
# timeout. The sleeper must not survive the kill.
setsid sleep 300 </dev/null >/dev/null 2>&1 &
echo "{\"bg\": $!}"
sleep 300
