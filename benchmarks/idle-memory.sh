#!/usr/bin/env bash
# Idle memory of a running platform, as PSS (proportional set size, from /proc/<pid>/smaps_rollup: shared pages are
# split between the processes that share them, so the sum is what the platform really costs), in three groups:
# the services, the servers, and Aspire's own processes (AppHost, DCP, dashboard). Run it while ./lms run is up.
set -euo pipefail
declare -A total count
for dir in /proc/[0-9]*; do
  pid=${dir#/proc/}
  cmd=$(tr '\0' ' ' < "$dir/cmdline" 2>/dev/null) || continue
  case "$cmd" in
    *AppHost.dll*|*/dcp\ *|*Aspire.Dashboard*) group=aspire ;;
    *.Api.dll*|*Gateway.dll*) group=services ;;
    *postgres*|*beam.smp*|*epmd*|*redis-server*|*erl_child_setup*|*inet_gethost*) group=servers ;;
    *) continue ;;
  esac
  pss=$(awk '/^Pss:/ {print $2}' "$dir/smaps_rollup" 2>/dev/null) || continue
  total[$group]=$(( ${total[$group]:-0} + ${pss:-0} ))
  count[$group]=$(( ${count[$group]:-0} + 1 ))
  [ "${VERBOSE:-0}" = 1 ] && printf '%-9s %8d kB  %s\n' "$group" "${pss:-0}" "${cmd:0:110}"
done
for group in services servers aspire; do
  printf '%-9s %3d processes  %7.1f MiB PSS\n' "$group" "${count[$group]:-0}" "$(echo "${total[$group]:-0} / 1024" | bc -l)"
done
printf 'services + servers: %.2f GiB\n' "$(echo "(${total[services]:-0} + ${total[servers]:-0}) / 1048576" | bc -l)"
