import Catalog
import Foundation
import Probe
import SpecFitCore

/// Where the machine comes from: a saved probe file, or this machine probed now (with its triad bandwidth
/// measured once and then read back from the catalog's measurements).
enum MachineSource {
    static func load(_ options: GlobalOptions, catalog: CatalogStore?, remeasure: Bool = false) throws -> Machine {
        if let path = options.machine { return try fromFile(path) }
        var m = probeMachine(ProbeOptions(measureBandwidth: false))
        m.cpu.measuredBandwidth = try bandwidth(for: m, catalog: catalog, remeasure: remeasure)
        if let catalog { annotateGPUs(&m, cards: (try? catalog.gpus()) ?? []) }
        return m
    }

    static func fromFile(_ path: String) throws -> Machine {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(message: "cannot read machine file \(path): no such file or not readable", code: 2)
        }
        do {
            var m = try JSONDecoder().decode(Machine.self, from: data)
            m.origin = "file \(path)"
            return m
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw CLIError(message: "machine file \(path) is not a `specfit probe --json` document: missing '\(key.stringValue)'\(ctx.codingPath.isEmpty ? "" : " in " + ctx.codingPath.map(\.stringValue).joined(separator: "."))", code: 2)
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw CLIError(message: "machine file \(path) has a wrong value at \(ctx.codingPath.map(\.stringValue).joined(separator: ".")): \(ctx.debugDescription)", code: 2)
        } catch {
            throw CLIError(message: "machine file \(path) is not valid JSON from `specfit probe --json` (\(error.localizedDescription)); save one with `specfit probe --json > machine.json`", code: 2)
        }
    }

    /// The CPU's triad bandwidth: a measurement of this CPU under 30 days old from the catalog, else a new one.
    static func bandwidth(for m: Machine, catalog: CatalogStore?, remeasure: Bool) throws -> BandwidthMeasurement {
        #if DEBUG
        let build = "debug build"
        #else
        let build = "release build"
        #endif
        // The triad loop's speed depends on the optimiser, so debug and release measurements are kept apart.
        let subject = "\(m.cpu.model) | \(m.cpu.logicalCores) logical cores | \(build)"
        let threads = max(1, m.cpu.logicalCores)
        if !remeasure, let catalog, let last = try? catalog.latestMeasurement(kind: "cpu-triad-bandwidth", subject: subject),
           let date = ISO8601DateFormatter().date(from: last.measuredAt), Date().timeIntervalSince(date) < 30 * 86400 {
            let arrayBytes = (try? JSONDecoder().decode([String: Int64].self, from: Data(last.details.utf8)))?["arrayBytes"] ?? 0
            return BandwidthMeasurement(triadGBps: last.value, threads: threads, arrayBytes: arrayBytes, measuredAt: last.measuredAt)
        }
        let b = measureTriadBandwidth(threads: threads)
        try? catalog?.recordMeasurement(kind: "cpu-triad-bandwidth", subject: subject, machine: m.hostname ?? "this machine",
                                        value: b.triadGBps, unit: "GB/s", measuredAt: b.measuredAt,
                                        details: "{\"arrayBytes\": \(b.arrayBytes), \"threads\": \(b.threads)}", source: "specfit probe triad")
        return b
    }

    /// Names GPUs from the catalog first (pci.ids second, as the probe left them) and records the match.
    static func annotateGPUs(_ m: inout Machine, cards: [GPUSpec]) {
        for i in m.gpus.indices {
            guard let match = GPUMatcher.match(m.gpus[i], cards: cards) else { continue }
            m.gpus[i].catalogID = match.gpu.id
            m.gpus[i].matchConfidence = match.confidence
            m.gpus[i].matchReason = match.reason
            m.gpus[i].name = match.gpu.name
            m.gpus[i].nameSource = "catalog \(match.gpu.id)"
        }
    }
}
