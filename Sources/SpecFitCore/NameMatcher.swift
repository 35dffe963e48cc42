import Foundation

/// Resolves what a user typed (a catalog id, an alias such as an Ollama tag or a Hugging Face repo id) to
/// one catalog id, or says which names were close.
public enum NameMatcher {
    public enum Resolution: Equatable, Sendable {
        case found(String)
        case ambiguous([String])
        case notFound(suggestions: [String])
    }

    /// Lowercased, with the Hugging Face organisation and "-instruct"/"-it" style suffixes kept (they are aliases
    /// of their own), and separators folded so that "Llama 3.1 8B" = "llama-3.1-8b".
    public static func normalize(_ s: String) -> String {
        let lowered = s.lowercased().trimmingCharacters(in: .whitespaces)
        return String(lowered.map { $0 == " " || $0 == "_" ? "-" : $0 })
    }

    /// - Parameter candidates: `(id, aliases)` of every catalog row.
    public static func resolve(_ name: String, candidates: [(id: String, aliases: [String])]) -> Resolution {
        let n = normalize(name)
        var hits = Set<String>()
        for c in candidates where normalize(c.id) == n { return .found(c.id) }
        for c in candidates where c.aliases.contains(where: { normalize($0) == n }) { hits.insert(c.id) }
        if hits.count == 1, let h = hits.first { return .found(h) }
        if hits.count > 1 { return .ambiguous(hits.sorted()) }
        // Hugging Face ids without the organisation ("Llama-3.1-8B-Instruct").
        for c in candidates where c.aliases.contains(where: { normalize($0).split(separator: "/").last.map(String.init) == n }) {
            hits.insert(c.id)
        }
        if hits.count == 1, let h = hits.first { return .found(h) }
        if hits.count > 1 { return .ambiguous(hits.sorted()) }
        let scored = candidates.map { c -> (String, Int) in
            let names = [c.id] + c.aliases
            return (c.id, names.map { levenshtein(n, normalize($0)) }.min() ?? Int.max)
        }
        let limit = max(2, n.count / 3)
        var close = scored.filter { $0.1 <= limit }.sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.map(\.0)
        if close.isEmpty {
            close = candidates.filter { c in ([c.id] + c.aliases).contains { normalize($0).contains(n) || n.contains(normalize($0)) } }.map(\.id).sorted()
        }
        return .notFound(suggestions: Array(close.prefix(5)))
    }

    /// Edit distance (insertions, deletions, substitutions), for "did you mean".
    public static func levenshtein(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count), cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}

/// Matches a probed PCI device to a catalog card (DESIGN §6): by vendor:device id first; when several cards
/// share that id, by revision, subsystem ids and VRAM size — and when none of them tells, says so.
public enum GPUMatcher {
    public struct Match: Equatable, Sendable {
        public var gpu: GPUSpec
        public var confidence: Double
        public var reason: String
    }

    public static func match(_ d: GPUDevice, cards: [GPUSpec]) -> Match? {
        let v = d.vendorID.lowercased(), dev = d.deviceID.lowercased()
        var c = cards.filter { $0.pciVendorID?.lowercased() == v && $0.pciDeviceID?.lowercased() == dev }
        guard !c.isEmpty else { return nil }
        let pci = "PCI id \(v):\(dev)"
        if c.count == 1 { return Match(gpu: c[0], confidence: 0.95, reason: "\(pci) is \(c[0].id) in the catalog") }
        var told: [String] = []
        if let rev = d.revision?.lowercased() {
            let byRev = c.filter { $0.pciRevisions.contains(rev) }
            if !byRev.isEmpty && byRev.count < c.count { c = byRev; told.append("revision \(rev)") }
        }
        if let sv = d.subsystemVendorID?.lowercased(), let sd = d.subsystemDeviceID?.lowercased() {
            let bySub = c.filter { $0.pciSubsystemVendorID?.lowercased() == sv && $0.pciSubsystemDeviceID?.lowercased() == sd }
            if !bySub.isEmpty && bySub.count < c.count { c = bySub; told.append("subsystem \(sv):\(sd)") }
        }
        if c.count > 1, let vram = d.vramTotalBytes, !d.isIntegrated {
            let mibs = Double(vram) / bytesPerMiB
            let byVRAM = c.filter { abs(Double($0.vramMiB) - mibs) / Double($0.vramMiB) < 0.06 }
            if !byVRAM.isEmpty && byVRAM.count < c.count { c = byVRAM; told.append("VRAM \(Int(mibs)) MiB") }
        }
        if c.count == 1 {
            return Match(gpu: c[0], confidence: 0.9, reason: "\(pci) is shared by several cards; \(told.joined(separator: " and ")) identifies \(c[0].id)")
        }
        return Match(gpu: c[0], confidence: 0.5,
                     reason: "\(pci) is shared by \(c.map(\.id).joined(separator: ", ")) and neither revision, subsystem nor VRAM tells them apart; assuming \(c[0].id)")
    }
}
