"""results.json -> report.md and the PNG charts (matplotlib, Agg: no display needed)."""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .common import COUNT, HOST_TIME, ROOT, TCG_TIME  # noqa: E402

KIND_NOTE = {COUNT: "deterministic count (instructions under -icount, traps, sites, bytes)",
             TCG_TIME: "time under plain QEMU TCG on the 2-core host: not hardware time, a ratio of neighbours",
             HOST_TIME: "wall clock of a host-native job on this machine"}


def fmt_value(f):
    v = f["value"]
    try:
        s = f["fmt"].format(v) if f.get("fmt") else str(v)
    except (ValueError, TypeError):
        s = str(v)
    return f"{s} {f['unit']}".strip()


def all_figures(results):
    figs = []
    for name, st in results["steps"].items():
        for f in st.get("figures", []):
            figs.append((name, f))
    if "duration_figure" in results["meta"]:
        figs.append(("run", results["meta"]["duration_figure"]))
    return figs


def chart_traps(results, path):
    tr = results["steps"].get("traps", {}).get("data")
    if not tr:
        return None
    ccs = list(tr)
    fig, axes = plt.subplots(1, len(ccs), figsize=(6 * len(ccs), 4.5), squeeze=False)
    for ax, cc in zip(axes[0], ccs):
        runs = tr[cc]["runs"]
        labels = list(runs)
        vals = [max(runs[l]["classes"].get("sensitive", 0), 0) for l in labels]
        bars = ax.bar(labels, [max(v, 0.8) for v in vals], color=["#c0392b" if l.startswith("trap") else
                                                                   "#2980b9" for l in labels])
        ax.set_yscale("log")
        ax.set_ylim(0.5, max(vals + [10]) * 4)
        for b, v in zip(bars, vals):
            ax.text(b.get_x() + b.get_width() / 2, max(v, 0.8) * 1.15, f"{v:,}", ha="center", fontsize=8)
        ax.set_title(f"Linux 6.1 ({cc}): sensitive-instruction traps\nboot + workload, per target/policy")
        ax.set_ylabel("traps (log scale)")
        ax.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path.name


def chart_micro(results, path):
    mi = results["steps"].get("micro", {}).get("data")
    if not mi:
        return None
    kd = mi["kernels"]
    names = list(kd)
    benches = list(next(iter(kd.values()))["benchmarks"])
    fig, ax = plt.subplots(figsize=(9, 4.5))
    series = [(n, m) for n in names for m in ("icount", "tcg")]
    w = 0.8 / len(series)
    for i, (n, m) in enumerate(series):
        key = "insns_per_op" if m == "icount" else "tsc_per_op_tcg"
        vals = [kd[n]["benchmarks"][b][key]["ratio"] for b in benches]
        xs = [j + (i - (len(series) - 1) / 2) * w for j in range(len(benches))]
        ax.bar(xs, vals, w, label=f"{n}: {'instructions (icount)' if m == 'icount' else 'TCG time'}",
               hatch="" if m == "icount" else "//", alpha=0.9)
    ax.set_xticks(range(len(benches)))
    ax.set_xticklabels(benches, rotation=15)
    ax.set_yscale("log")
    ax.axhline(1, color="black", linewidth=0.8)
    ax.set_ylabel("l4 / bare (log scale; 1 = native)")
    ax.set_title("Linux microbenchmarks: cost on the hypervisor relative to bare")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path.name


def chart_noop(results, path):
    """The counted cost, and the A/B with the range of its pairs: the A/B's spread (scheduling,
    docs/bench.md) is what keeps it from resolving 0.15%."""
    figs = {f["id"]: f for _, f in all_figures(results) if f["id"].startswith("noop.")}
    if not figs:
        return None
    runs = results["steps"].get("workload", {}).get("data", {})
    labels, vals, lo, hi, colors = [], [], [], [], []
    for cc in runs:
        for how in ("exact", "ab"):
            f = figs.get(f"noop.{cc}.{how}")
            if not f:
                continue
            pts = [f["value"]]
            if how == "ab":
                r = runs[cc]["runs"]
                pts = [100 * (b["insns"] / a["insns"] - 1)
                       for a, b in zip(r["plain/bare/icount"], r["full/bare/icount"])]
            labels.append(f"{cc}\n{'counted' if how == 'exact' else 'A/B (range)'}")
            vals.append(f["value"])
            lo.append(f["value"] - min(pts))
            hi.append(max(pts) - f["value"])
            colors.append("#2980b9" if how == "exact" else "#95a5a6")
    labels.append("published\n(hardware)")
    vals += [0.15]
    lo += [0]
    hi += [0]
    colors.append("#7f8c8d")
    fig, ax = plt.subplots(figsize=(8, 4))
    bars = ax.bar(labels, vals, color=colors, yerr=[lo, hi], capsize=4)
    for b, v in zip(bars, vals):
        ax.text(b.get_x() + b.get_width() / 2, v, f"{v:.3f}%", ha="center", va="bottom", fontsize=8)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_ylabel("% more instructions than without padding")
    ax.set_title("No-ops on bare metal (Linux workload): counted, A/B, and the published 0.15%")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path.name


def table(results):
    rows = ["| figure | value | target | met? | kind | command |", "|---|---|---|---|---|---|"]
    cmds = {}
    for _, f in all_figures(results):
        c = cmds.setdefault(f["command"], f"C{len(cmds) + 1}")
        met = "—" if f["met"] is None else ("yes" if f["met"] else "**no**")
        val = fmt_value(f) if not (isinstance(f["value"], float) and math.isnan(f["value"])) else "n/a"
        note = f" ({f['note']})" if f.get("note") else ""
        rows.append(f"| {f['figure']}{note} | {val} | {f['target'] or '— (measured)'} | {met} | "
                    f"{f['kind']} | [{c}](#commands) |")
    return rows, cmds


def details(results):
    st = results["steps"]
    out = []
    b = st.get("build", {}).get("data")
    if b and "ensured" in b:       # --quick: built only where out of date, untimed
        out += ["### Builds", "", "Not timed (--quick): " + "; ".join(
            f"`{v['command']}` (make {v['make_seconds']:.1f} s)" for v in b["ensured"].values()), ""]
    elif b:
        out += ["### Builds", "", "| compiler | plain make vmlinux (s) | afterburn-cc full (s) |", "|---|---|---|"]
        out += [f"| {cc} | {', '.join(f'{x:.1f}' for x in r['seconds']['plain'])} | "
                f"{', '.join(f'{x:.1f}' for x in r['seconds']['full'])} |" for cc, r in b.items()]
        out += ["", "Each from `make clean`, plain and annotated alternating; host wall clock.", ""]
    s = st.get("sites", {}).get("data")
    if s:
        out += ["### Sites per policy", "", "| compiler | policy | sites | code bytes | sites by kind (top 8) |",
                "|---|---|---|---|---|"]
        for cc, ks in s.items():
            for p, f in ks.items():
                top = ", ".join(f"{k} {n}" for k, n in sorted(f["by_kind"].items(), key=lambda x: -x[1])[:8])
                out.append(f"| {cc} | {p} | {f['sites']:,} | {f['text_bytes']:,} | {top} |")
        out += ["", "Code bytes: `.text` + `.init.text` + `.exit.text`.", ""]
    w = st.get("workload", {}).get("data")
    if w:
        out += ["### Linux workload runs", "", "| compiler | run | wall s | instructions | padding no-ops |",
                "|---|---|---|---|---|"]
        for cc, r in w.items():
            for key, bs in r["runs"].items():
                walls = ", ".join(f"{x['wall']:.1f}" for x in bs)
                insns = ", ".join(f"{x['insns']:,}" for x in bs if x["insns"]) or "—"
                pads = ", ".join(f"{x['pads']:,}" for x in bs if x["pads"] is not None) or "—"
                out.append(f"| {cc} | {key} | {walls} | {insns} | {pads} |")
        out += ["", "Repetitions in order; every run printed the same WL: lines. Instructions: the whole "
                "machine from reset to the end of the workload (bench/insncount), BIOS included.", ""]
    t = st.get("traps", {}).get("data")
    if t:
        out += ["### Traps per kind", ""]
        for cc, r in t.items():
            runs = r["runs"]
            kinds = sorted({k for x in runs.values() for k in x["kinds"]},
                           key=lambda k: (-max(x["kinds"].get(k, 0) for x in runs.values()), k))
            out += [f"{cc}:", "", "| kind | " + " | ".join(runs) + " |", "|---" * (len(runs) + 1) + "|"]
            out += [f"| {k} | " + " | ".join(f"{x['kinds'].get(k, 0):,}" for x in runs.values()) + " |"
                    for k in kinds]
            classes = sorted({c for x in runs.values() for c in x["classes"]})
            out += [f"| *class {c}* | " + " | ".join(f"{x['classes'].get(c, 0):,}" for x in runs.values()) + " |"
                    for c in classes if c != "sensitive"]
            out += [f"| *lost* | " + " | ".join(f"{x['lost']:,}" for x in runs.values()) + " |", ""]
            if r.get("loop"):
                lp = r["loop"]
                out += [f"The loop: {lp['rules']} rules ({lp['unmatched_rules']} matched nothing), sites "
                        f"{lp['sites'][0]:,} -> {lp['sites'][1]:,}, code {lp['text_bytes'][0]:,} -> "
                        f"{lp['text_bytes'][1]:,} bytes, output {'the same' if lp['same_output'] else 'DIFFERENT'}."
                        " Hot spots left:", "", "```", lp["hot_after"].rstrip().replace(str(ROOT) + "/", ""), "```", ""]
    m = st.get("micro", {}).get("data")
    if m:
        out += ["### Microbenchmarks", "", "```", m["text"].rstrip(), "```", ""]
    i = st.get("ipc", {}).get("data")
    if i:
        out += ["### IPC", "", "| | instructions (icount) | TSC ticks (TCG) |", "|---|---|---|"]
        for k, what in (("syscall", "null system call"), ("same", "round trip, one space"),
                        ("cross", "round trip, across spaces")):
            out.append(f"| {what} | {i['median']['icount'][k]:,.1f} | {i['median']['tcg'][k]:,.1f} |")
        out += ["", "Published one-way IPC (hardware cycles, for scale only): " + ", ".join(
            f"{n} {c}" for n, c in i["published_one_way_cycles"].items()) + ".", ""]
    p = st.get("patch", {}).get("data")
    if p:
        out += ["### Load-time patching", "", p["text"].strip().replace(str(ROOT) + "/", ""), ""]
    g = st.get("guests", {}).get("data")
    if g:
        out += ["### Guests", "", "| guest | sensitive traps trap/minimal | l4/full | other classes (l4/full) |",
                "|---|---|---|---|"]
        for n, r in g["guests"].items():
            oth = ", ".join(f"{c} {v:,}" for c, v in r["l4/full"]["classes"].items() if c != "sensitive" and v)
            out.append(f"| {n} | {r['trap/minimal']['classes']['sensitive']:,} | "
                       f"{r['l4/full']['classes']['sensitive']:,} | {oth} |")
        out.append("")
    return out


def write(out, results):
    meta = results["meta"]
    charts = [c for c in (chart_traps(results, out / "traps.png"), chart_micro(results, out / "micro.png"),
                          chart_noop(results, out / "noop.png")) if c]
    rows, cmds = table(results)
    failed = {n: s["error"] for n, s in results["steps"].items() if "error" in s}
    lines = [f"# Benchmark report, {meta['date']} ({meta['mode']} run)", "",
             f"- command: `{meta['command']}`, {meta.get('seconds', 0) / 60:.1f} minutes "
             f"(limit {meta['limit_minutes']})",
             f"- commit {meta['commit'][:12]}{' with uncommitted changes' if meta['dirty'] else ''}; "
             f"compilers: {', '.join(meta['compilers'])}",
             f"- host: {meta['host']['cpus']} CPUs ({meta['host']['cpu']}), {meta['host']['mem_gib']} GiB; "
             f"{meta['versions']['qemu']}; {meta['versions']['gcc']}; {meta['versions']['clang']}",
             f"- steps: " + ", ".join(f"{n} {s['seconds']:.0f} s" + (" **FAILED**" if "error" in s else "")
                                      for n, s in results["steps"].items()),
             *([f"- a quick run: gcc only; not measured: the build overhead, the no-ops' A/B against the "
                "plain kernel, trap/minimal and the profile loop (`bench/run` measures them)", ""]
               if meta["mode"] == "quick" else [""]),
             "Kinds of figure:"] + [f"- *{k}*: {v}" for k, v in KIND_NOTE.items()] + [""]
    if failed:
        lines += ["## Failed steps", ""] + [f"- **{n}**: `{e.splitlines()[0] if e else '?'}`" for n, e in failed.items()] + [""]
    lines += ["## Figures", ""] + rows + [""]
    if charts:
        lines += ["## Charts", ""] + [f"![{c}]({c})" for c in charts] + [""]
    lines += ["## Details", ""] + details(results)
    lines += ["## Commands", "", "Each figure's command, as run (paths relative to the repository):", ""]
    lines += [f"- **{c}**: `{cmd}`" for cmd, c in cmds.items()] + [""]
    (out / "report.md").write_text("\n".join(lines) + "\n")
