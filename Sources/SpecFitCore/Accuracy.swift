import Foundation

/// One prediction held against one published measurement.
public struct AccuracyRow: Codable, Sendable, Equatable {
    public var id: String
    /// "memory:kv_cache", "memory:compute_buffer", "decode", "speculative" …
    public var kind: String
    public var what: String
    public var measured: Double
    public var predicted: Double
    public var unit: String
    /// |predicted − measured| / measured.
    public var relativeError: Double { measured == 0 ? 0 : abs(predicted - measured) / measured }
    /// Why this row is likely off (the mechanism SpecFit does not model), when known.
    public var reason: String
    public var source: String

    public init(id: String, kind: String, what: String, measured: Double, predicted: Double, unit: String, reason: String, source: String) {
        self.id = id; self.kind = kind; self.what = what; self.measured = measured; self.predicted = predicted
        self.unit = unit; self.reason = reason; self.source = source
    }
}

/// Per-kind error summary: median and 90th percentile of the absolute relative error, and the five worst rows.
public struct AccuracySummary: Codable, Sendable, Equatable {
    public var kind: String
    public var count: Int
    public var medianError: Double
    public var p90Error: Double
    public var worst: [AccuracyRow]
    /// Rows that could not be predicted, with why.
    public var skipped: [String]

    /// Nearest-rank percentile of sorted values (p in 0…1).
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    public static func summarize(kind: String, rows: [AccuracyRow], skipped: [String]) -> AccuracySummary {
        let errors = rows.map(\.relativeError).sorted()
        return AccuracySummary(kind: kind, count: rows.count, medianError: percentile(errors, 0.5), p90Error: percentile(errors, 0.9),
                               worst: Array(rows.sorted { $0.relativeError > $1.relativeError }.prefix(5)), skipped: skipped)
    }
}
