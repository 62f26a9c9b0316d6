#!/bin/sh
# Runs the benchmarks, all of them or those named: `sh bench/run.sh validate compile`.
# Builds once with tsc (dist/bench/), then runs each bench with node; nothing to install.
set -eu
cd "$(dirname "$0")/.."
benches="${*:-validate compile makespan local fan-out lambdas}"
npm run build --silent
for name in $benches; do
  echo "== bench/$name.ts"
  node "dist/bench/$name.js"
done
