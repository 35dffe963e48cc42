import Foundation
import SpecFitCore

/// Markdown downloads of the answers the Report module has no section for (GPU choice, cost, ranking, catalog).
/// Verdicts, comparisons and the machine use `MarkdownReport`, as `specfit report` does.
enum Markdown {
    static func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }

    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = []) -> [String] {
        ["| " + header.map(cell).joined(separator: " | ") + " |",
         "|" + header.indices.map { numeric.contains($0) ? "---:|" : "---|" }.joined()]
            + rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |" }
    }

    static func footer(_ command: String) -> [String] { ["", "## Reproduce", "", "```sh", command, "```", ""] }

    static func choices(_ l: GPUChoiceList, inputs: ChooseGPUInputs, command: String) -> String {
        var o = ["# Cards for \(l.target)\(l.draft.map { " + draft \($0)" } ?? "")", "",
                 "Cards that hold the pair whole at n_ctx \(l.nCtx)" + (inputs.minTPS > 0 ? " and ≥ \(Query.format(inputs.minTPS)) tok/s" : "") +
                    (inputs.budget.map { " within $\(Query.format($0))" } ?? "") + ".", ""]
        if l.choices.isEmpty { o.append("None in the catalog.") }
        o += table(["#", "cards", "price", "price basis", "placement", "headroom GiB", "plain tok/s", "speculative tok/s"],
                   l.choices.enumerated().map { i, c in
                       [String(i + 1), "\(c.count)× \(c.gpuID)", c.totalPrice.map { String(format: "$%.0f", $0) } ?? "–",
                        c.price.map { "\($0.kind), \($0.date)" } ?? "no price known", c.kind.rawValue, Fmt.gib(c.headroomBytes),
                        Fmt.tps(c.plainTokensPerSecond), c.speculativeTokensPerSecond.map(Fmt.tps) ?? "–"]
                   }, numeric: [0, 2, 5, 6, 7])
        return (o + footer(command)).joined(separator: "\n")
    }

    static func cost(_ e: CostEstimate, inputs: CostInputs, command: String) -> String {
        let a = e.assumptions
        var o = ["# Cost of \(inputs.target)\(inputs.draft.map { " + draft \($0)" } ?? "")", "",
                 String(format: "Local: **$%.2f** per million tokens", e.localPerMTok) + (a.hardwarePrice == nil ? " (electricity only: no hardware price)" : "") +
                    "; cloud: " + (a.cloudPricePerMTok.map { String(format: "**$%.2f** per million tokens", $0) } ?? "no price"), ""]
        if let v = e.breakEvenTokensPerDay {
            o.append(String(format: "Break-even: %.1f million tokens a day", v / 1e6) + (e.breakEvenReachable == true ? "." : " — more than this hardware makes in 24 h."))
        } else {
            o.append(a.cloudPricePerMTok == nil ? "Break-even: no cloud price to compare with." : "Break-even: never — electricity alone costs more per token than the cloud price.")
        }
        o += ["", "## Assumptions", ""]
        o += table(["", ""], [
            ["speed", String(format: "%.1f tok/s (%@)", a.tokensPerSecond, a.tokensPerSecondBasis)],
            ["use", String(format: "%.1f h/day → %.2f million tokens/day", a.hoursPerDay, e.tokensPerDay / 1e6)],
            ["hardware", (a.hardwarePrice.map { String(format: "$%.0f over %.1f years = $%.2f/day", $0, a.lifetimeYears, e.hardwarePerDay ?? 0) } ?? "unknown") + " — \(a.hardwarePriceBasis)"],
            ["power", String(format: "GPU %.0f W + CPU %.0f W at $%.3f/kWh = $%.2f/day", a.gpuWatts, a.cpuWatts, a.kWhPrice, e.energyPerDay)],
            ["cloud", a.cloudPriceBasis],
        ])
        return (o + footer(command)).joined(separator: "\n")
    }

    static func recommendations(_ l: RecommendationList, command: String) -> String {
        var o = ["# Best combinations", "", "\(l.machine) — \(l.evaluated) combinations evaluated.", ""]
        let shown = l.ranked.isEmpty ? l.closest : l.ranked
        if l.ranked.isEmpty { o += ["Nothing fits at this speed" + (l.closest.isEmpty ? "." : "; closest:"), ""] }
        o += table(["#", "tier", "target", "quant", "draft", "tok/s", "plain", "placement"],
                   shown.map { [String($0.rank), $0.tier, $0.targetID, $0.quant, $0.draftID ?? "–", Fmt.tps($0.tokensPerSecond),
                                Fmt.tps($0.plainTokensPerSecond), $0.kind.rawValue] }, numeric: [0, 5, 6])
        return (o + footer(command)).joined(separator: "\n")
    }

    static func catalog(_ r: CatalogResult, command: String) -> String {
        var o: [String]
        switch r {
        case .rows(let t, let rows):
            let cols = Pages.columns(t)
            o = ["# Catalog table \(t)", ""] + table(cols, rows.map { row in cols.map { row[$0] ?? "" } }) + ["", "\(rows.count) rows"]
        case .hits(let hits):
            o = ["# Catalog search", ""] + table(["table", "id", "name"], hits.map { [$0["table"] ?? "", $0["id"] ?? "", $0["name"] ?? ""] })
        case .row(let row):
            o = ["# \(row["table"] ?? "row"): \(row["id"] ?? "")", ""] + table(["field", "value"], row.keys.sorted().filter { $0 != "table" }.map { [$0, row[$0] ?? ""] })
        }
        return (o + footer(command)).joined(separator: "\n")
    }
}
