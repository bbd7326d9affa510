# shellcheck shell=bash
# bench/milter_report.sh — the tables of bench/milter_run.sh, sourced by it:
# from $work/results.tsv (one line per load, milter_daemons.sh) and
# $work/memory.tsv (one line per 10 MB message, milter_phases.sh).

report() {
    awk -F '\t' -v rounds="$rounds" -v duration="$duration" -v connections="$connections" \
        -v tcp_connections="$tcp_connections" -v tcp_duration="$tcp_duration" -v paced_rate="$paced_rate" '
    function sort(a, n,    i, j, v) {
        for (i = 2; i <= n; i++) {
            v = a[i]
            for (j = i - 1; j >= 1 && a[j] > v; j--) a[j + 1] = a[j]
            a[j + 1] = v
        }
    }
    # The median of the space-separated numbers of a list.
    function median(list,    a, n) {
        n = split(list, a, " ")
        if (n == 0) return 0
        sort(a, n)
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function rounded(list, decimals,    a, n, i, out) {
        n = split(list, a, " ")
        for (i = 1; i <= n; i++) out = out (i > 1 ? " " : "") sprintf("%." decimals "f", a[i])
        return out
    }
    # Per-round ratios of a column, subject over baseline, same phase and round.
    function ratios(phase, subject, base, column,    r, out) {
        for (r = 1; r <= rounds; r++)
            if ((phase, base, r) in row && figure[phase, base, r, column] > 0)
                out = out (out == "" ? "" : " ") figure[phase, subject, r, column] / figure[phase, base, r, column]
        return out
    }
    function per_round(phase, subject, column,    r, out) {
        for (r = 1; r <= rounds; r++)
            if ((phase, subject, r) in row)
                out = out (out == "" ? "" : " ") figure[phase, subject, r, column]
        return out
    }
    function verdict(value, op, target,    met, gap) {
        met = op == ">=" ? value >= target : op == "<=" ? value <= target : value < target
        if (met) return "PASS"
        gap = op == ">=" ? (target - value) / target : (value - target) / target
        return sprintf("NOT MET (%.0f%% %s)", 100 * gap, op == ">=" ? "short" : "over")
    }
    function target_row(label, list, decimals, op, target, target_text) {
        printf "%-50s %9s   %-38s %-9s %s\n", label, sprintf("%." decimals "f", median(list)), rounded(list, decimals),
            target_text, verdict(median(list), op, target)
    }
    function context_row(label, list, decimals) {
        printf "%-50s %9s   %s\n", label, sprintf("%." decimals "f", median(list)), rounded(list, decimals)
    }
    # The medians of a subject: its figures, then the CPUs the milter and
    # the load generator kept busy, then messages a run.
    function figures_row(phase, subject, label,    c, list, r, busy, loadgen) {
        printf "%-44s", label
        for (c = 4; c <= 9; c++) {
            list = per_round(phase, subject, c)
            printf list ~ /-/ ? " %10s" : " %10.1f", list ~ /-/ ? "-" : median(list)
        }
        printf " %6.1f", median(per_round(phase, subject, 13))
        for (r = 1; r <= rounds; r++) {
            if (!((phase, subject, r) in row)) continue
            busy = busy " " figure[phase, subject, r, 9] * figure[phase, subject, r, 4] / 1e6
            loadgen = loadgen " " figure[phase, subject, r, 11] / figure[phase, subject, r, 12]
        }
        printf " %7.2f %7.2f %9.0f\n", median(busy), median(loadgen), median(per_round(phase, subject, 10))
    }
    # The load generator CPU a message, per round, in us.
    function loadgen_per_message(phase, subject,    r, out) {
        for (r = 1; r <= rounds; r++)
            if ((phase, subject, r) in row && figure[phase, subject, r, 10] > 0)
                out = out " " 1e6 * figure[phase, subject, r, 11] / figure[phase, subject, r, 10]
        return out
    }
    # Saturated, the milter and the load generator together keep the CPUs
    # busy, so messages/s goes as 1 / (milter + load generator CPU a
    # message): the milter CPU a message at which prospect-milter would
    # reach the target, the load generator costing what it does now.
    function cpu_budget(target,    base, base_loadgen, loadgen, now, budget) {
        base = median(per_round("unix", "baseline-in", 9))
        base_loadgen = median(loadgen_per_message("unix", "baseline-in"))
        loadgen = median(loadgen_per_message("unix", "prospect-in"))
        now = median(per_round("unix", "prospect-in", 9))
        budget = (base + base_loadgen) / target - loadgen
        printf "  (CPU a message, us: baseline %.0f (system %.0f) + load generator %.0f; prospect-milter %.0f (system %.0f)\n",
            base, median(per_round("unix", "baseline-in", 13)), base_loadgen, now, median(per_round("unix", "prospect-in", 13))
        printf "   + load generator %.0f. For %.2f: prospect-milter at most %.0f us a message, %.0f less than now)\n",
            loadgen, target, budget, now - budget
    }
    FILENAME ~ /results/ {
        row[$1, $2, $3] = 1
        for (c = 4; c <= NF; c++) figure[$1, $2, $3, c] = $c
        next
    }
    FILENAME ~ /memory/ && $2 > 0 { memory[$1] = memory[$1] (memory[$1] == "" ? "" : " ") $3 }
    END {
        printf "\nMedians over the rounds. Load generator and milters share the same %d CPUs.\n", cpus
        printf "%-44s %10s %10s %10s %10s %10s %10s %6s %7s %7s %9s\n", "", "msgs/s", "eom p50", "eom p99", "msg p50",
            "msg p99", "milter", "of it", "milter", "loadgen", "messages"
        printf "%-44s %10s %10s %10s %10s %10s %10s %6s %7s %7s %9s\n", "", "", "us", "us", "us", "us", "CPU us/msg",
            "system", "CPUs", "CPUs", "a run"
        printf "unix socket, %d connections, %d rounds of %s s\n", connections, rounds, duration
        figures_row("unix", "baseline-in", "  baseline, 20 KB prospecting message")
        figures_row("unix", "prospect-in", "  prospect-milter, the same (in scope)")
        figures_row("unix", "baseline-out", "  baseline, ordinary message")
        figures_row("unix", "prospect-out", "  prospect-milter, the same (out of scope)")
        printf "unix socket, paced at %s messages/s (half of prospect-milter saturated)\n", paced_rate
        figures_row("paced", "baseline-in", "  baseline, 20 KB prospecting message")
        figures_row("paced", "prospect-in", "  prospect-milter, the same (in scope)")
        printf "TCP (inet) socket, %d connections, %d rounds of %s s\n", tcp_connections, rounds, tcp_duration
        figures_row("tcp", "baseline-in", "  baseline, 20 KB prospecting message")
        figures_row("tcp", "prospect-in", "  prospect-milter, the same (in scope)")

        printf "\n%-50s %9s   %-38s %-9s %s\n", "target", "median", "per round", "target", "result"
        target_row("in scope, msgs/s: prospect-milter / baseline", ratios("unix", "prospect-in", "baseline-in", 4), 2,
            ">=", 0.85, ">= 0.85")
        cpu_budget(0.85)
        target_row("in scope, eom p99: prospect-milter / baseline", ratios("unix", "prospect-in", "baseline-in", 6), 2,
            "<=", 1.5, "<= 1.50")
        context_row("  (in scope, eom p50: prospect-milter / baseline)", ratios("unix", "prospect-in", "baseline-in", 5), 2)
        context_row("  (in scope, milter CPU/msg: prospect / baseline)", ratios("unix", "prospect-in", "baseline-in", 9), 2)
        context_row("  (paced, eom p50: prospect-milter / baseline)", ratios("paced", "prospect-in", "baseline-in", 5), 2)
        context_row("  (paced, eom p99: prospect-milter / baseline)", ratios("paced", "prospect-in", "baseline-in", 6), 2)
        target_row("out of scope, msgs/s: prospect-milter / baseline", ratios("unix", "prospect-out", "baseline-out", 4), 2,
            ">=", 0.97, ">= 0.97")
        target_row(sprintf("TCP, %d connections, prospect-milter eom p50 us", tcp_connections),
            per_round("tcp", "prospect-in", 5), 0, "<", 1000, "< 1000")
        context_row("  (the same, eom p99 us)", per_round("tcp", "prospect-in", 6), 0)
        context_row("  (baseline eom p50 us: libmilter without NODELAY)", per_round("tcp", "baseline-in", 5), 0)
        target_row("10 MB message, peak RSS growth KiB, prospect-milter", memory["prospect"], 0, "<", 2048, "< 2048")
        context_row("  (the same, baseline)", memory["baseline"], 0)
    }' cpus="$(nproc)" "$work/results.tsv" "$work/memory.tsv"
}
