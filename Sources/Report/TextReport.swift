import Foundation
import SpecFitCore

/// Plain-text renderings for the terminal: the verdict first, then tables, then advice (CONVENTIONS, Interface).
public enum TextReport {
    static func g(_ b: Int64) -> String { String(format: "%7.2f", gib(b)) }
    static func tps(_ e: Estimate) -> String {
        String(format: "%.1f tok/s (range %.1f–%.1f)", e.mid, e.low, e.high)
    }

    public static func fit(_ f: FitResult) -> String {
        var o: [String] = [f.verdict, ""]
        o.append("Machine  \(f.machine)")
        func model(_ label: String, _ m: ModelSummary) -> String {
            String(format: "%@ %@ %@ — %.2f B parameters, %@ weights, %@ KV at n_ctx %d (source: %@)", label, m.id, m.ftype,
                   Double(m.parameterCount) / 1e9, formatGiB(m.weightBytes), formatGiB(m.kvBytes), f.config.nCtx,
                   String(m.source.split(separator: " ").first ?? ""))
        }
        o.append(model("Target  ", f.target))
        if let d = f.draft { o.append(model("Draft   ", d)) }
        o.append("")
        o.append("Memory (GiB)")
        for d in f.placement.gpus + [f.placement.host] where !d.items.isEmpty || d.usableBytes > 0 {
            o.append("  \(d.device) — usable \(String(format: "%.2f", gib(d.usableBytes))) GiB (\(d.basis))\(d.marginBytes > 0 ? String(format: ", %.2f GiB kept free", gib(d.marginBytes)) : "")")
            for i in d.items where i.bytes > 0 {
                o.append("    \(i.label.padding(toLength: 44, withPad: " ", startingAt: 0)) \(g(i.bytes))")
            }
            let mark = d.fits ? "fits" : "DOES NOT FIT"
            o.append("    \("total".padding(toLength: 44, withPad: " ", startingAt: 0)) \(g(d.usedBytes))  of \(String(format: "%.2f", gib(d.usableBytes - d.marginBytes))) — \(mark)")
        }
        o.append("")
        let s = f.speed
        o.append("Speed (n_ctx \(f.config.nCtx), quoted at token position \(s.position))")
        if f.kind == .doesNotFit {
            o.append("  not predicted: the configuration does not fit")
        } else {
            o.append("  plain decode      \(tps(s.plainTokensPerSecond))")
            if let d = s.draftTokensPerSecond { o.append("  draft alone       \(tps(d)), cost ratio c = \(String(format: "%.3f", s.costRatio ?? 0))") }
            if let sp = s.speculativeTokensPerSecond, let a = s.alpha, let g = s.gamma, let up = s.speedup {
                o.append("  speculative       \(tps(sp)) at γ=\(g), α=\(String(format: "%.2f", a.alpha)) (\(String(format: "%.2f–%.2f", a.low, a.high))), \(String(format: "%.2f", s.expectedTokensPerStep ?? 0)) tokens/step")
                o.append("  speedup           \(String(format: "%.2f× (range %.2f–%.2f×)", up.mid, up.low, up.high))")
            }
            for b in s.basis { o.append("  basis: \(b)") }
        }
        if !f.compatibility.isEmpty {
            o.append("")
            o.append("Pair check (draft tokenizer vs target)")
            for c in f.compatibility {
                o.append("  \(c.runtime.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(c.compatible ? "compatible" : "REJECTED: " + c.reasons.joined(separator: "; "))")
            }
        }
        o.append("")
        o.append("Commands")
        o.append("  \(f.commands.llamaServer)")
        if let v = f.commands.vllm {
            o.append("  \(v)")
            if f.config.runtime != .vllm { o.append("    (vLLM loads the BF16 weights; `--runtime vllm` gives its own memory verdict)") }
        }
        if !f.advice.isEmpty {
            o.append("")
            o.append("What to change")
            for a in f.advice { o.append("  - \(a)") }
        }
        return o.joined(separator: "\n")
    }

    public static func machine(_ m: Machine) -> String {
        var o: [String] = []
        let c = m.cpu
        o.append("CPU       \(c.model)\(c.vendor.map { " (\($0))" } ?? ""): \(c.physicalCores.map { "\($0) physical / " } ?? "")\(c.logicalCores) logical cores\(c.frequencyMHz.map { String(format: ", %.0f MHz", $0) } ?? "")")
        if !c.simdFlags.isEmpty { o.append("SIMD      \(c.simdFlags.joined(separator: " "))") }
        let mem = m.memory
        var ram = mem.totalBytes > 0 ? "RAM       \(formatGiB(mem.totalBytes)) total" : "RAM       unknown"
        if let a = mem.availableBytes { ram += ", \(formatGiB(a)) available" }
        if let l = mem.cgroupLimitBytes { ram += ", cgroup v\(mem.cgroupVersion ?? 0) limit \(formatGiB(l))" }
        else if let v = mem.cgroupVersion { ram += ", cgroup v\(v): no memory limit" }
        o.append(ram)
        if let b = c.measuredBandwidth {
            o.append(String(format: "Bandwidth %.1f GB/s CPU memory bandwidth (STREAM-style triad, %d threads, %@)", b.triadGBps, b.threads, b.measuredAt))
        } else {
            o.append("Bandwidth not measured")
        }
        if m.gpus.isEmpty {
            let pciUnknown = m.unknowns.contains { $0.contains("GPUs unknown") || $0.contains("/sys/bus/pci") }
            o.append(pciUnknown ? "GPUs      unknown: the PCI bus could not be read (see below)"
                                : "GPUs      none: no GPU on the PCI bus — models run on the CPU")
        }
        for d in m.gpus {
            var line = "GPU       \(d.pciAddress) \(d.name) [\(d.vendorID):\(d.deviceID)] (name from \(d.nameSource))"
            if let drv = d.driver { line += ", driver \(drv)" }
            o.append(line)
            var memLine = "          "
            if let t = d.vramTotalBytes { memLine += "VRAM \(formatGiB(t)) total" } else { memLine += "VRAM unknown" }
            if let f = d.vramFreeBytes { memLine += ", \(formatGiB(f)) free" }
            if let gtt = d.gttTotalBytes { memLine += ", GTT \(formatGiB(gtt))" }
            if let s = d.memorySource { memLine += " (\(s))" }
            if d.isIntegrated { memLine += "; integrated GPU" }
            o.append(memLine)
            if let id = d.catalogID { o.append("          catalog: \(id) (confidence \(String(format: "%.2f", d.matchConfidence ?? 0)): \(d.matchReason ?? ""))") }
        }
        for u in m.unknowns { o.append("Unknown   \(u)") }
        o.append("Source    \(m.origin)")
        return o.joined(separator: "\n")
    }
}

extension TextReport {
    public static func comparison(_ c: Comparison) -> String {
        var o: [String] = []
        o.append("Cards")
        o.append("  " + ["card", "VRAM GiB", "GB/s", "FP16 TFLOPS", "board W", "variant"].map { $0.padding(toLength: 14, withPad: " ", startingAt: 0) }.joined())
        for g in c.cards {
            let cells = [g.id, String(format: "%.1f", gib(g.vramBytes)), String(format: "%.0f", g.bandwidthGBps),
                         g.fp16TFLOPS.map { String(format: "%.1f", $0) } ?? "–", g.boardPowerW.map { String(format: "%.0f", $0) } ?? "–",
                         g.variant.rawValue + (g.unifiedMemory ? " (unified)" : "")]
            o.append("  " + cells.map { $0.padding(toLength: 14, withPad: " ", startingAt: 0) }.joined())
        }
        o.append("")
        for r in c.rows {
            o.append("\(r.targetID)\(r.draftID.map { " + draft \($0)" } ?? "")   winner: \(r.winner ?? "none runs it")")
            for cr in r.cards {
                var line = "  \(cr.cardID.padding(toLength: 22, withPad: " ", startingAt: 0)) \(cr.kind.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0))"
                if cr.kind != .doesNotFit {
                    line += String(format: "%6.1f tok/s plain", cr.plainTokensPerSecond)
                    if let s = cr.speculativeTokensPerSecond { line += String(format: ", %6.1f speculative (γ=%d)", s, cr.gamma ?? 0) }
                } else {
                    line += String(format: "needs %.1f GiB", gib(cr.neededBytes))
                }
                o.append(line)
                if let fix = cr.fix { o.append("      fix: \(fix)") }
            }
        }
        o.append("")
        o.append("Overall: \(c.overallWinner ?? "–") (wins " + c.cards.map { "\($0.id) \(c.winsPerCard[$0.id] ?? 0)" }.joined(separator: ", ") + ")")
        return o.joined(separator: "\n")
    }

    public static func recommendations(_ ranked: [Recommendation], closest: [Recommendation], machine: String, evaluated: Int) -> String {
        var o = ["Best target/draft/quant combinations for \(machine)", "(\(evaluated) combinations evaluated; ranked by predicted tok/s within quality tiers, larger target and higher quant first)", ""]
        if ranked.isEmpty {
            o.append("Nothing fits with these settings. Closest:")
            for r in closest {
                let short = max(0, r.neededBytes - r.availableBytes)
                o.append("  \(r.targetID) \(r.quant)\(r.draftID.map { " + \($0)" } ?? ""): " +
                         (short > 0 ? String(format: "short by %.1f GiB", gib(short)) : String(format: "fits but predicted %.1f tok/s", r.tokensPerSecond)))
            }
            return o.joined(separator: "\n")
        }
        o.append("  #  tier              target               quant    draft                 tok/s   plain  placement")
        for r in ranked {
            o.append(String(format: "%3d  %@ %@ %@ %@ %6.1f  %6.1f  %@", r.rank,
                            r.tier.padding(toLength: 17, withPad: " ", startingAt: 0),
                            r.targetID.padding(toLength: 20, withPad: " ", startingAt: 0),
                            r.quant.padding(toLength: 8, withPad: " ", startingAt: 0),
                            (r.draftID ?? "–").padding(toLength: 20, withPad: " ", startingAt: 0),
                            r.tokensPerSecond, r.plainTokensPerSecond, r.kind.rawValue))
        }
        return o.joined(separator: "\n")
    }
}
