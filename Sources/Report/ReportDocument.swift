import Foundation
import SpecFitCore

/// What `specfit report` exports, in every format: the machine, each verdict with its memory breakdown per
/// device and its speed, the GPU comparison, measured validation where it exists, and the commands.
/// `--format json` is this value encoded (schema in README).
public struct ReportDocument: Codable, Sendable {
    public var schemaVersion = 1
    /// ISO-8601.
    public var generatedAt: String
    public var specfitVersion: String
    public var machine: Machine?
    public var machineLabel: String
    public var verdicts: [FitResult]
    public var comparison: Comparison?
    /// Measured-versus-predicted lines; empty until `specfit bench` has measured this machine.
    public var validation: [String]
    /// The specfit commands that reproduce this report.
    public var commands: [String]

    public init(generatedAt: String, specfitVersion: String, machine: Machine?, machineLabel: String, verdicts: [FitResult],
                comparison: Comparison?, validation: [String], commands: [String]) {
        self.generatedAt = generatedAt; self.specfitVersion = specfitVersion; self.machine = machine
        self.machineLabel = machineLabel; self.verdicts = verdicts; self.comparison = comparison
        self.validation = validation; self.commands = commands
    }
}

/// Number formats shared by the Markdown and HTML reports, so both print exactly the `--json` values rounded the same way.
enum Fmt {
    static func gib(_ b: Int64) -> String { String(format: "%.2f", SpecFitCore.gib(b)) }
    static func tps(_ x: Double) -> String { String(format: "%.1f", x) }
    static func ratio(_ x: Double) -> String { String(format: "%.2f", x) }
}

public enum MarkdownReport {
    public static func render(_ d: ReportDocument) -> String {
        var o: [String] = ["# SpecFit report", "", "Generated \(d.generatedAt) by specfit \(d.specfitVersion).", ""]
        o.append("## Machine")
        o.append("")
        o.append(d.machineLabel)
        if let m = d.machine {
            o.append("")
            o.append("| | |")
            o.append("|---|---|")
            o.append("| CPU | \(m.cpu.model), \(m.cpu.physicalCores.map { "\($0) physical / " } ?? "")\(m.cpu.logicalCores) logical cores |")
            o.append("| RAM | \(Fmt.gib(m.memory.totalBytes)) GiB total\(m.memory.availableBytes.map { ", \(Fmt.gib($0)) GiB available" } ?? "") |")
            if let b = m.cpu.measuredBandwidth { o.append("| CPU bandwidth | \(String(format: "%.1f", b.triadGBps)) GB/s (triad, \(b.measuredAt)) |") }
            o.append("| GPUs | \(m.gpus.isEmpty ? "none" : m.gpus.map { "\($0.name)\($0.vramTotalBytes.map { " (\(Fmt.gib($0)) GiB)" } ?? "")" }.joined(separator: ", ")) |")
        }
        for f in d.verdicts {
            o.append("")
            o.append("## \(f.target.id)\(f.draft.map { " + \($0.id)" } ?? "") — \(f.kind.rawValue)")
            o.append("")
            o.append("**\(f.verdict)**")
            o.append("")
            o.append("Machine: \(f.machine)")
            o.append("")
            o.append("### Memory (GiB)")
            for dev in f.placement.gpus + [f.placement.host] where !dev.items.isEmpty {
                o.append("")
                o.append("**\(dev.device)** — \(Fmt.gib(dev.usedBytes)) of \(Fmt.gib(dev.usableBytes - dev.marginBytes)) usable (\(dev.basis))")
                o.append("")
                o.append("| item | GiB |")
                o.append("|---|---:|")
                for i in dev.items where i.bytes > 0 { o.append("| \(i.label) | \(Fmt.gib(i.bytes)) |") }
                o.append("| **total** | **\(Fmt.gib(dev.usedBytes))** |")
            }
            o.append("")
            o.append("### Speed (n_ctx \(f.config.nCtx), position \(f.speed.position))")
            o.append("")
            if f.kind == .doesNotFit {
                o.append("Not predicted: the configuration does not fit.")
            } else {
                let s = f.speed
                o.append("| | tok/s | low | high |")
                o.append("|---|---:|---:|---:|")
                o.append("| plain decode | \(Fmt.tps(s.plainTokensPerSecond.mid)) | \(Fmt.tps(s.plainTokensPerSecond.low)) | \(Fmt.tps(s.plainTokensPerSecond.high)) |")
                if let sp = s.speculativeTokensPerSecond, let g = s.gamma {
                    o.append("| speculative (γ=\(g)) | \(Fmt.tps(sp.mid)) | \(Fmt.tps(sp.low)) | \(Fmt.tps(sp.high)) |")
                }
                if let up = s.speedup { o.append("| speedup × | \(Fmt.ratio(up.mid)) | \(Fmt.ratio(up.low)) | \(Fmt.ratio(up.high)) |") }
                o.append("")
                for b in s.basis { o.append("- \(b)") }
            }
            if !f.compatibility.isEmpty {
                o.append("")
                o.append("### Pair check")
                o.append("")
                for c in f.compatibility { o.append("- \(c.runtime.rawValue): \(c.compatible ? "compatible" : "rejected — " + c.reasons.joined(separator: "; "))") }
            }
            o.append("")
            o.append("### Commands")
            o.append("")
            o.append("```sh")
            o.append(f.commands.llamaServer)
            if let v = f.commands.vllm { o.append(v) }
            o.append("```")
            if !f.advice.isEmpty {
                o.append("")
                o.append("### What to change")
                o.append("")
                for a in f.advice { o.append("- \(a)") }
            }
        }
        if let c = d.comparison {
            o.append("")
            o.append("## GPU comparison")
            o.append("")
            o.append("| card | VRAM GiB | bandwidth GB/s | FP16 TFLOPS | board W | variant |")
            o.append("|---|---:|---:|---:|---:|---|")
            for g in c.cards {
                o.append("| \(g.name) | \(Fmt.gib(g.vramBytes)) | \(String(format: "%.0f", g.bandwidthGBps)) | \(g.fp16TFLOPS.map { String(format: "%.1f", $0) } ?? "–") | \(g.boardPowerW.map { String(format: "%.0f", $0) } ?? "–") | \(g.variant.rawValue)\(g.unifiedMemory ? " (unified)" : "") |")
            }
            o.append("")
            o.append("| pair | " + c.cards.map(\.id).joined(separator: " | ") + " | winner |")
            o.append("|---|" + c.cards.map { _ in "---|" }.joined() + "---|")
            for r in c.rows {
                let cells = r.cards.map { cr in
                    cr.kind == .doesNotFit ? "does not fit" : "\(cr.kind.rawValue): \(Fmt.tps(cr.plainTokensPerSecond))\(cr.speculativeTokensPerSecond.map { " / \(Fmt.tps($0)) spec" } ?? "") tok/s"
                }
                o.append("| \(r.targetID)\(r.draftID.map { " + \($0)" } ?? "") | " + cells.joined(separator: " | ") + " | \(r.winner ?? "–") |")
            }
            o.append("")
            o.append("Overall: **\(c.overallWinner ?? "–")** (wins: \(c.winsPerCard.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))).")
        }
        o.append("")
        o.append("## Measured validation")
        o.append("")
        o.append(d.validation.isEmpty ? "No measurement on this machine yet: `specfit bench` runs the pair and records measured against predicted." : d.validation.map { "- \($0)" }.joined(separator: "\n"))
        o.append("")
        o.append("## Reproduce")
        o.append("")
        o.append("```sh")
        o.append(contentsOf: d.commands)
        o.append("```")
        return o.joined(separator: "\n") + "\n"
    }
}
