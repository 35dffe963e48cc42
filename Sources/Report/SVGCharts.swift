import Foundation
import SpecFitCore

/// Inline SVG charts for the HTML report. Plain strings, valid XML (the report must parse as XML).
public enum SVGCharts {
    static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
    static func n(_ x: Double) -> String { String(format: "%.1f", x) }

    /// Stacked memory bars, one per device, with a tick at the usable limit (usable − margin).
    public static func memory(_ f: FitResult) -> String {
        let devices = (f.placement.gpus + [f.placement.host]).filter { !$0.items.isEmpty }
        let width = 720.0, left = 190.0, barH = 26.0, gap = 34.0
        let scaleMax = devices.map { Double(max($0.usedBytes, $0.usableBytes - $0.marginBytes)) }.max() ?? 1
        let plotW = width - left - 20
        let height = Double(devices.count) * gap + 40
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart memory-chart\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"memory per device\">"
        for (i, d) in devices.enumerated() {
            let y = 10 + Double(i) * gap
            s += "<text x=\"0\" y=\"\(n(y + 17))\" font-size=\"12\">\(esc(String(d.device.prefix(28))))</text>"
            var x = left
            for (j, item) in d.items.enumerated() where item.bytes > 0 {
                let w = Double(item.bytes) / scaleMax * plotW
                s += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(w, 0.5)))\" height=\"\(n(barH))\" fill=\"\(palette[j % palette.count])\"><title>\(esc(item.label)): \(Fmt.gib(item.bytes)) GiB</title></rect>"
                x += w
            }
            let limit = left + Double(d.usableBytes - d.marginBytes) / scaleMax * plotW
            s += "<line x1=\"\(n(limit))\" y1=\"\(n(y - 4))\" x2=\"\(n(limit))\" y2=\"\(n(y + barH + 4))\" stroke=\"#d00\" stroke-width=\"2\"><title>usable \(Fmt.gib(d.usableBytes - d.marginBytes)) GiB</title></line>"
            s += "<text x=\"\(n(min(x + 4, width - 60)))\" y=\"\(n(y + 17))\" font-size=\"11\">\(Fmt.gib(d.usedBytes)) GiB</text>"
        }
        s += "<text x=\"\(Int(left))\" y=\"\(n(height - 6))\" font-size=\"11\" fill=\"#555\">bars: memory used per device (hover for items); red tick: usable memory less the margin</text>"
        return s + "</svg>"
    }

    /// Predicted speculative tok/s against γ, with the plain decode speed as a dashed line.
    public static func gamma(_ f: FitResult) -> String? {
        let pts = f.speed.gammaCurve
        guard !pts.isEmpty, f.kind != .doesNotFit else { return nil }
        let plain = f.speed.plainTokensPerSecond.mid
        let width = 420.0, height = 220.0, l = 50.0, b = 30.0, t = 14.0, r = 14.0
        let maxY = max(plain, pts.map(\.tokensPerSecond).max() ?? 1) * 1.1
        func px(_ g: Int) -> Double { l + Double(g - 1) / 15 * (width - l - r) }
        func py(_ v: Double) -> Double { height - b - v / maxY * (height - b - t) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart gamma-chart\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"tok/s against draft length\">"
        s += "<line x1=\"\(n(l))\" y1=\"\(n(height - b))\" x2=\"\(n(width - r))\" y2=\"\(n(height - b))\" stroke=\"#333\"/>"
        s += "<line x1=\"\(n(l))\" y1=\"\(n(t))\" x2=\"\(n(l))\" y2=\"\(n(height - b))\" stroke=\"#333\"/>"
        for g in [1, 4, 8, 12, 16] { s += "<text x=\"\(n(px(g) - 4))\" y=\"\(n(height - b + 14))\" font-size=\"10\">\(g)</text>" }
        s += "<text x=\"\(n(width / 2))\" y=\"\(n(height - 2))\" font-size=\"11\">γ (draft length)</text>"
        s += "<text x=\"2\" y=\"\(n(t + 8))\" font-size=\"10\">\(n(maxY))</text><text x=\"2\" y=\"\(n(height - b))\" font-size=\"10\">0</text>"
        s += "<line x1=\"\(n(l))\" y1=\"\(n(py(plain)))\" x2=\"\(n(width - r))\" y2=\"\(n(py(plain)))\" stroke=\"#888\" stroke-dasharray=\"4 3\"><title>plain decode \(Fmt.tps(plain)) tok/s</title></line>"
        s += "<polyline fill=\"none\" stroke=\"#4e79a7\" stroke-width=\"2\" points=\"" + pts.map { "\(n(px($0.gamma))),\(n(py($0.tokensPerSecond)))" }.joined(separator: " ") + "\"/>"
        if let g = f.speed.gamma, let p = pts.first(where: { $0.gamma == g }) {
            s += "<circle cx=\"\(n(px(g)))\" cy=\"\(n(py(p.tokensPerSecond)))\" r=\"4\" fill=\"#e15759\"><title>γ*=\(g): \(Fmt.tps(p.tokensPerSecond)) tok/s</title></circle>"
        }
        return s + "</svg>"
    }

    /// Grouped bars: effective tok/s of each pair on each card (0 when it does not fit).
    public static func comparison(_ c: Comparison) -> String {
        let groupW = 40.0 * Double(max(1, c.cards.count)) + 30, height = 240.0, b = 60.0, t = 14.0, l = 40.0
        let width = l + groupW * Double(max(1, c.rows.count)) + 20
        func tps(_ r: CardResult) -> Double { r.kind == .doesNotFit ? 0 : max(r.plainTokensPerSecond, r.speculativeTokensPerSecond ?? 0) }
        let maxY = max(1, c.rows.flatMap { $0.cards.map(tps) }.max() ?? 1) * 1.1
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart comparison-chart\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"tok/s per card\">"
        for (i, row) in c.rows.enumerated() {
            let x0 = l + Double(i) * groupW
            for (j, cr) in row.cards.enumerated() {
                let h = tps(cr) / maxY * (height - b - t)
                s += "<rect x=\"\(n(x0 + Double(j) * 40))\" y=\"\(n(height - b - h))\" width=\"34\" height=\"\(n(h))\" fill=\"\(palette[j % palette.count])\"><title>\(esc(cr.cardID)): \(Fmt.tps(tps(cr))) tok/s (\(cr.kind.rawValue))</title></rect>"
            }
            s += "<text x=\"\(n(x0))\" y=\"\(n(height - b + 14))\" font-size=\"10\">\(esc(String(row.targetID.prefix(18))))</text>"
            if let d = row.draftID { s += "<text x=\"\(n(x0))\" y=\"\(n(height - b + 26))\" font-size=\"10\">+ \(esc(String(d.prefix(16))))</text>" }
        }
        for (j, card) in c.cards.enumerated() {
            s += "<rect x=\"\(n(l + Double(j) * 120))\" y=\"\(n(height - 18))\" width=\"10\" height=\"10\" fill=\"\(palette[j % palette.count])\"/><text x=\"\(n(l + Double(j) * 120 + 14))\" y=\"\(n(height - 9))\" font-size=\"10\">\(esc(card.id))</text>"
        }
        return s + "</svg>"
    }
}
