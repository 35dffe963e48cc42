import Foundation
import Mustache
import SpecFitCore

/// One self-contained offline HTML file (XHTML syntax, so it also parses as XML) with inline SVG charts.
public enum HTMLReport {
    static let template = """
    <!DOCTYPE html>
    <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
    <head>
    <meta charset="utf-8"/>
    <title>SpecFit report</title>
    <style>
    body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 980px; color: #222; }
    h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
    .verdict { font-weight: bold; padding: 0.6em; background: #f3f6fa; border-left: 4px solid #4e79a7; }
    table { border-collapse: collapse; margin: 0.6em 0; } td, th { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; white-space: pre-wrap; }
    .muted { color: #666; font-size: 0.9em; }
    </style>
    </head>
    <body>
    <h1>SpecFit report</h1>
    <p class="muted">Generated {{generatedAt}} by specfit {{version}}.</p>
    <h2>Machine</h2>
    <p>{{machineLabel}}</p>
    {{^empty(machineRows)}}<table>{{#machineRows}}<tr><th>{{key}}</th><td>{{value}}</td></tr>{{/machineRows}}</table>{{/empty(machineRows)}}
    {{#verdicts}}
    <section class="verdict-section">
    <h2>{{title}}</h2>
    <p class="verdict">{{verdict}}</p>
    <p class="muted">{{machine}}</p>
    <h3>Memory</h3>
    {{{memoryChart}}}
    {{#devices}}
    <table><caption>{{device}} — {{used}} of {{usable}} GiB usable ({{basis}})</caption>
    <tr><th>item</th><th>GiB</th></tr>
    {{#items}}<tr><td>{{label}}</td><td class="num">{{gib}}</td></tr>{{/items}}
    <tr><th>total</th><td class="num">{{used}}</td></tr>
    </table>
    {{/devices}}
    <h3>Speed (n_ctx {{nCtx}}, position {{position}})</h3>
    {{^fits}}<p>Not predicted: the configuration does not fit.</p>{{/fits}}
    {{#fits}}
    <table>
    <tr><th></th><th>tok/s</th><th>low</th><th>high</th></tr>
    {{#speedRows}}<tr><td>{{label}}</td><td class="num">{{mid}}</td><td class="num">{{low}}</td><td class="num">{{high}}</td></tr>{{/speedRows}}
    </table>
    {{{gammaChart}}}
    <ul class="muted">{{#basis}}<li>{{.}}</li>{{/basis}}</ul>
    {{/fits}}
    {{^empty(compat)}}<h3>Pair check</h3><ul>{{#compat}}<li>{{.}}</li>{{/compat}}</ul>{{/empty(compat)}}
    <h3>Commands</h3>
    <pre>{{#commands}}{{.}}
    {{/commands}}</pre>
    {{^empty(advice)}}<h3>What to change</h3><ul>{{#advice}}<li>{{.}}</li>{{/advice}}</ul>{{/empty(advice)}}
    </section>
    {{/verdicts}}
    {{#comparison}}
    <h2>GPU comparison</h2>
    <table>
    <tr><th>card</th><th>VRAM GiB</th><th>bandwidth GB/s</th><th>FP16 TFLOPS</th><th>board W</th><th>variant</th></tr>
    {{#cards}}<tr><td>{{name}}</td><td class="num">{{vram}}</td><td class="num">{{bw}}</td><td class="num">{{fp16}}</td><td class="num">{{power}}</td><td>{{variant}}</td></tr>{{/cards}}
    </table>
    {{{chart}}}
    <table>
    <tr><th>pair</th>{{#cards}}<th>{{id}}</th>{{/cards}}<th>winner</th></tr>
    {{#rows}}<tr><td>{{pair}}</td>{{#cells}}<td>{{.}}</td>{{/cells}}<td>{{winner}}</td></tr>{{/rows}}
    </table>
    <p>Overall: <strong>{{overall}}</strong></p>
    {{/comparison}}
    <h2>Measured validation</h2>
    {{#empty(validation)}}<p>No measurement on this machine yet: <code>specfit bench</code> runs the pair and records measured against predicted.</p>{{/empty(validation)}}
    <ul>{{#validation}}<li>{{.}}</li>{{/validation}}</ul>
    <h2>Reproduce</h2>
    <pre>{{#reproduce}}{{.}}
    {{/reproduce}}</pre>
    </body>
    </html>
    """

    public static func render(_ d: ReportDocument) throws -> String {
        let t = try MustacheTemplate(string: template)
        return t.render(context(d))
    }

    static func context(_ d: ReportDocument) -> [String: Any] {
        var machineRows: [[String: String]] = []
        if let m = d.machine {
            machineRows.append(["key": "CPU", "value": "\(m.cpu.model), \(m.cpu.logicalCores) logical cores"])
            machineRows.append(["key": "RAM", "value": "\(Fmt.gib(m.memory.totalBytes)) GiB total"])
            if let b = m.cpu.measuredBandwidth { machineRows.append(["key": "CPU bandwidth", "value": String(format: "%.1f GB/s", b.triadGBps)]) }
            machineRows.append(["key": "GPUs", "value": m.gpus.isEmpty ? "none" : m.gpus.map(\.name).joined(separator: ", ")])
        }
        let verdicts: [[String: Any]] = d.verdicts.map { f in
            let devices: [[String: Any]] = (f.placement.gpus + [f.placement.host]).filter { !$0.items.isEmpty }.map { dev in
                ["device": dev.device, "used": Fmt.gib(dev.usedBytes), "usable": Fmt.gib(dev.usableBytes - dev.marginBytes), "basis": dev.basis,
                 "items": dev.items.filter { $0.bytes > 0 }.map { ["label": $0.label, "gib": Fmt.gib($0.bytes)] }]
            }
            var speedRows: [[String: String]] = []
            let s = f.speed
            speedRows.append(["label": "plain decode", "mid": Fmt.tps(s.plainTokensPerSecond.mid), "low": Fmt.tps(s.plainTokensPerSecond.low), "high": Fmt.tps(s.plainTokensPerSecond.high)])
            if let sp = s.speculativeTokensPerSecond, let g = s.gamma {
                speedRows.append(["label": "speculative (γ=\(g))", "mid": Fmt.tps(sp.mid), "low": Fmt.tps(sp.low), "high": Fmt.tps(sp.high)])
            }
            if let up = s.speedup { speedRows.append(["label": "speedup ×", "mid": Fmt.ratio(up.mid), "low": Fmt.ratio(up.low), "high": Fmt.ratio(up.high)]) }
            return [
                "title": "\(f.target.id)\(f.draft.map { " + \($0.id)" } ?? "") — \(f.kind.rawValue)",
                "verdict": f.verdict, "machine": f.machine, "memoryChart": SVGCharts.memory(f), "devices": devices,
                "nCtx": f.config.nCtx, "position": s.position, "fits": f.kind != .doesNotFit, "speedRows": speedRows,
                "gammaChart": SVGCharts.gamma(f) ?? "", "basis": s.basis,
                "compat": f.compatibility.map { "\($0.runtime.rawValue): \($0.compatible ? "compatible" : "rejected — " + $0.reasons.joined(separator: "; "))" },
                "commands": [f.commands.llamaServer] + (f.commands.vllm.map { [$0] } ?? []), "advice": f.advice,
            ]
        }
        var ctx: [String: Any] = [
            "generatedAt": d.generatedAt, "version": d.specfitVersion, "machineLabel": d.machineLabel, "machineRows": machineRows,
            "verdicts": verdicts, "validation": d.validation, "reproduce": d.commands,
        ]
        if let c = d.comparison {
            ctx["comparison"] = [
                "cards": c.cards.map { g in
                    ["id": g.id, "name": g.name, "vram": Fmt.gib(g.vramBytes), "bw": String(format: "%.0f", g.bandwidthGBps),
                     "fp16": g.fp16TFLOPS.map { String(format: "%.1f", $0) } ?? "–", "power": g.boardPowerW.map { String(format: "%.0f", $0) } ?? "–",
                     "variant": g.variant.rawValue + (g.unifiedMemory ? " (unified)" : "")]
                },
                "chart": SVGCharts.comparison(c),
                "rows": c.rows.map { r in
                    ["pair": r.targetID + (r.draftID.map { " + \($0)" } ?? ""), "winner": r.winner ?? "–",
                     "cells": r.cards.map { cr in
                         cr.kind == .doesNotFit ? "does not fit" + (cr.fix.map { " (\($0))" } ?? "")
                             : "\(cr.kind.rawValue): \(Fmt.tps(cr.plainTokensPerSecond))\(cr.speculativeTokensPerSecond.map { " / \(Fmt.tps($0)) spec" } ?? "") tok/s"
                     }] as [String: Any]
                },
                "overall": c.overallWinner ?? "–",
            ] as [String: Any]
        }
        return ctx
    }
}
