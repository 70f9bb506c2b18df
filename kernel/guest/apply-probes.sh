# Sourced by the guest's init (and by test/unit/kernel/guest.test.ts): applies probe definitions in
# the probe kit's tracefs form. Needs T (tracefs), OUT (results folder), WORK (scratch folder);
# KALLSYMS defaults to /proc/kallsyms. Sets EVENTS (the tracepoints to enable) and placed (count).

# `@SYM[MOD]` in the definitions (filters, aliases) is SYM's address in MOD, known only once loaded
resolve() {
  awk 'NR == FNR { addr[$3 " " $4] = "0x" $1; next }
       { out = ""; rest = $0
         while (match(rest, /@[A-Za-z0-9_.]+\[[A-Za-z0-9_]+\]/)) {
           tok = substr(rest, RSTART + 1, RLENGTH - 1); split(tok, p, "[][]"); k = p[1] " [" p[2] "]"
           out = out substr(rest, 1, RSTART - 1) ((k in addr) ? addr[k] : "@" tok); rest = substr(rest, RSTART + RLENGTH) }
         print out rest }' "${KALLSYMS:-/proc/kallsyms}" "$1"
}

# Line by line, so one refused probe is reported and the others stay:
#   p:/r: lines -> kprobe_events; "# filter EVENT EXPR" -> that event's filter;
#   "# enable TRACEPOINT [FILTER]" -> EVENTS (and its filter); "# !directive" -> OUT/header.txt,
#   put on top of every recorded trace. The resolved definitions are kept in OUT/kprobe_events.
apply_probes() {
  resolve "$1" > $OUT/kprobe_events
  echo > $T/kprobe_events
  : > $OUT/probe-errors.log
  : > $OUT/header.txt
  : > $WORK/filters
  EVENTS=""
  placed=0
  while IFS= read -r def; do
    case "$def" in
      p:*|r:*)
        if printf '%s\n' "$def" >> $T/kprobe_events 2>/dev/null; then placed=$((placed + 1)); else echo "$def" >> $OUT/probe-errors.log; fi ;;
      "# filter "*) echo "${def#\# filter }" >> $WORK/filters ;;
      "# enable "*)
        rest=${def#\# enable }; tp=${rest%% *}; [ "$rest" = "$tp" ] && f="" || f=${rest#* }
        EVENTS="$EVENTS $tp"; [ -n "$f" ] && echo "$tp $f" >> $WORK/filters ;;
      "# !"*) echo "$def" >> $OUT/header.txt ;;
    esac
  done < $OUT/kprobe_events
  while read -r ev expr; do
    [ -d $T/events/$ev ] && { printf '%s\n' "$expr" > $T/events/$ev/filter || echo "filter refused: $ev $expr" >> $OUT/probe-errors.log; }
  done < $WORK/filters
  [ -s $OUT/probe-errors.log ] && cat $T/error_log >> $OUT/probe-errors.log 2>/dev/null
  return 0
}
