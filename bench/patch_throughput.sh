#!/usr/bin/env bash
# Load-time patch throughput (issue: loader).  Patches every site of each
# annotated Linux vmlinux in build/linux for target l4, host-native, and
# writes the table to bench/results/patch_throughput.txt.
#   bench/patch_throughput.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-200}
scripts/build >/dev/null
kernels=()
for k in build/linux/ab-*/vmlinux; do
  [ -f "$k" ] && kernels+=("$k")
done
if [ ${#kernels[@]} -eq 0 ]; then
  echo "patch_throughput: no annotated kernel in build/linux (run scripts/demo or guest-patches/linux-6.1/build)" >&2
  exit 2
fi
mkdir -p bench/results
{
  echo "# bench/patch_throughput.sh $rounds  ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m))"
  echo
  build/bin/patch_throughput -n "$rounds" build/loader/wedge-fixture.elf "${kernels[@]}"
} | tee bench/results/patch_throughput.txt
