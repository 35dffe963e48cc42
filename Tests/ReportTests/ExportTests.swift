import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Report
import SpecFitCore

@Suite struct ExportTests {
    static func results() -> [FitResult] {
        let m = TextReportTests.result()
        var twoCard = TextReportTests.request()
        twoCard.gpus = [ComputeDevice(name: "Card A", catalogID: nil, backend: .cuda, usableBytes: 8 << 30, usableBasis: "test",
                                      bandwidthGBps: 900, fp16TFLOPS: 80, unifiedMemory: false)]
        return [m, FitEngine.evaluate(twoCard)]
    }

    static func document() -> ReportDocument {
        ReportDocument(generatedAt: "2026-11-29T00:00:00Z", specfitVersion: "test", machine: nil, machineLabel: "test host",
                       verdicts: results(), comparison: nil, validation: [], commands: ["specfit report --format html -o r.html"])
    }

    /// Every number the report prints equals the `fit --json` number, rounded the same way.
    @Test func report_numbers_equal_fit_numbers() throws {
        let d = Self.document()
        let md = MarkdownReport.render(d)
        let html = try HTMLReport.render(d)
        for f in d.verdicts {
            for dev in f.placement.gpus + [f.placement.host] {
                for item in dev.items where item.bytes > 0 {
                    let v = String(format: "%.2f", gib(item.bytes))
                    #expect(md.contains("| \(item.label) | \(v) |"), "\(item.label) \(v) in Markdown")
                    #expect(html.contains("<td>\(item.label)</td><td class=\"num\">\(v)</td>"), "\(item.label) \(v) in HTML")
                }
            }
            let plain = String(format: "%.1f", f.speed.plainTokensPerSecond.mid)
            #expect(md.contains("| plain decode | \(plain) |"))
            #expect(html.contains("<td>plain decode</td><td class=\"num\">\(plain)</td>"))
            #expect(md.contains(f.commands.llamaServer))
            #expect(html.contains(f.verdict.replacingOccurrences(of: "&", with: "&amp;")))
        }
        // JSON is the document itself.
        let json = try JSONEncoder().encode(d)
        let back = try JSONDecoder().decode(ReportDocument.self, from: json)
        #expect(back.verdicts == d.verdicts)
    }

    @Test func html_parses_as_xml_with_one_memory_chart_per_verdict() throws {
        let d = Self.document()
        let html = try HTMLReport.render(d)
        let doc = try XMLDocument(data: Data(html.utf8), options: [])
        let charts = try doc.nodes(forXPath: "//*[local-name()='svg' and contains(@class, 'memory-chart')]")
        #expect(charts.count == d.verdicts.count)
        let sections = try doc.nodes(forXPath: "//*[local-name()='section']")
        #expect(sections.count == d.verdicts.count)
        // Offline: no external resources.
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"))
    }
}
