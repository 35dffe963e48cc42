import Foundation
import SpecFitCore

/// The rules for `gpus` rows.
extension CatalogValidator {
    /// PCI vendor ids of the vendors the catalog names (pci.ids: 10de NVIDIA, 1002 AMD/ATI, 8086 Intel).
    public static let pciVendors: [String: String] = ["nvidia": "10de", "amd": "1002", "intel": "8086"]

    /// Per-pin data rates (Gbps) each memory type can have. The bounds are wider than any part shipped so far
    /// (JEDEC GDDR6 and GDDR7, Micron GDDR6X, JEDEC HBM2/2E/3/3E and LPDDR5/5X speed grades; GDDR7 also runs as
    /// low as 18 Gbps on the RTX PRO 2000/4000 SFF Blackwell boards) and exist to catch unit slips — MT/s for Gbps,
    /// the memory clock for the data rate, bytes for bits — not to police speed bins.
    public static let dataRateRanges: [String: ClosedRange<Double>] = [
        "GDDR5": 4...9, "GDDR5X": 9...12, "GDDR6": 10...24, "GDDR6X": 18...24, "GDDR7": 16...48,
        "HBM2": 1.0...2.6, "HBM2e": 2.4...3.8, "HBM3": 4.0...6.8, "HBM3e": 5.0...10,
        "LPDDR4X": 3.2...4.3, "LPDDR5": 5.0...6.4, "LPDDR5X": 6.4...10.7, "DDR4": 1.6...3.2, "DDR5": 4.0...9.0,
    ]

    /// How far `bandwidth_gbps` may be from `bus_width_bits / 8 × data_rate_gbps`: vendors round the product (H200:
    /// 4.8 TB/s against 6144 / 8 × 6.37 = 4.89).
    public static let bandwidthTolerance = 0.03

    static func gpuEnums(_ r: CatalogRecord) -> [CatalogProblem] {
        oneOf(r, "variant", GPUSpec.Variant.allCases.map(\.rawValue)) + oneOf(r, "backend", GPUSpec.Backend.allCases.map(\.rawValue))
            + oneOf(r, "vendor", ["nvidia", "amd", "intel", "apple"])
    }

    static func isHex(_ s: String, digits: Int) -> Bool {
        s.count == digits && s.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    static func pciID(_ r: CatalogRecord) -> [CatalogProblem] {
        var out: [CatalogProblem] = []
        let v = r["pci_vendor_id"], d = r["pci_device_id"], sv = r["pci_subsys_vendor_id"], sd = r["pci_subsys_device_id"]
        if v.isEmpty != d.isEmpty { out.append(CatalogProblem(r, "pci-id", "pci_vendor_id and pci_device_id come together: give both or neither")) }
        for (c, x) in [("pci_vendor_id", v), ("pci_device_id", d), ("pci_subsys_vendor_id", sv), ("pci_subsys_device_id", sd)]
        where !x.isEmpty && !isHex(x, digits: 4) {
            out.append(CatalogProblem(r, "pci-id", "\(c) '\(x)' is not 4 lower-case hex digits (as lspci -n prints them)"))
        }
        if sv.isEmpty != sd.isEmpty { out.append(CatalogProblem(r, "pci-id", "subsystem vendor and device ids come together: give both or neither")) }
        for rev in r.list("pci_revisions") where !isHex(rev, digits: 2) {
            out.append(CatalogProblem(r, "pci-id", "revision '\(rev)' is not 2 lower-case hex digits"))
        }
        if let want = pciVendors[r["vendor"]], !v.isEmpty, v != want {
            out.append(CatalogProblem(r, "pci-id", "pci_vendor_id \(v) is not \(r["vendor"])'s (\(want))"))
        }
        let discrete = ["desktop", "laptop", "workstation", "datacenter"].contains(r["variant"])
        if discrete && v.isEmpty {
            out.append(CatalogProblem(r, "pci-id", "a \(r["variant"]) card needs its PCI vendor and device id, or the probe can never match it"))
        }
        return out
    }

    static func gpuMemory(_ r: CatalogRecord) -> [CatalogProblem] {
        var out: [CatalogProblem] = []
        let igpu = r["variant"] == "igpu"
        let vram = r.int("vram_mib"), bw = r.double("bandwidth_gbps"), ws = r.int("gpu_working_set_mib")
        if let vram, vram <= 0 { out.append(CatalogProblem(r, "gpu-memory", "vram_mib \(vram) must be positive")) }
        if vram == nil && r["vram_mib"].isEmpty && !igpu {
            out.append(CatalogProblem(r, "gpu-memory", "vram_mib is empty; only an integrated GPU (variant igpu) takes its memory from the host"))
        }
        if let bw, bw <= 0 { out.append(CatalogProblem(r, "gpu-memory", "bandwidth_gbps \(bw) must be positive")) }
        if bw == nil && r["bandwidth_gbps"].isEmpty && !igpu {
            out.append(CatalogProblem(r, "gpu-memory", "bandwidth_gbps is empty; only an integrated GPU (variant igpu) uses the host's RAM bandwidth"))
        }
        let unified = r.bool("unified_memory") ?? false
        if r["variant"] == "unified" && !unified { out.append(CatalogProblem(r, "gpu-memory", "variant unified with unified_memory 0")) }
        if let ws {
            if !unified { out.append(CatalogProblem(r, "gpu-memory", "gpu_working_set_mib is set but unified_memory is 0: only shared memory has a GPU working-set limit")) }
            if ws <= 0 { out.append(CatalogProblem(r, "gpu-memory", "gpu_working_set_mib \(ws) must be positive")) }
            if let vram, ws > vram { out.append(CatalogProblem(r, "gpu-memory", "gpu_working_set_mib \(ws) exceeds the memory vram_mib \(vram)")) }
        } else if r["variant"] == "unified" && vram != nil {
            // Metal caps what the GPU may hold (recommendedMaxWorkingSetSize); other shared-memory rows may leave it
            // open, and then the GPU is taken to use all of it.
            out.append(CatalogProblem(r, "gpu-memory", "unified memory of \(vram ?? 0) MiB without gpu_working_set_mib: say how much of it the GPU may use"))
        }
        return out
    }

    /// Peak bandwidth is the bus width in bytes times the per-pin data rate (GB/s = bits / 8 × Gbps).
    static func bandwidth(_ r: CatalogRecord) -> [CatalogProblem] {
        guard let bus = r.int("bus_width_bits"), let rate = r.double("data_rate_gbps"), let bw = r.double("bandwidth_gbps"),
              bus > 0, rate > 0, bw > 0 else { return [] }
        let product = Double(bus) / 8 * rate
        let off = abs(bw - product) / product
        guard off > bandwidthTolerance else { return [] }
        return [CatalogProblem(r, "bandwidth", String(format: "bandwidth_gbps %g ≠ bus_width_bits %ld / 8 × data_rate_gbps %g = %.1f (%.0f %% apart, %.0f %% allowed): one of the three is wrong", bw, bus, rate, product, off * 100, bandwidthTolerance * 100))]
    }

    static func dataRate(_ r: CatalogRecord) -> [CatalogProblem] {
        var out: [CatalogProblem] = []
        if let bus = r.int("bus_width_bits"), bus <= 0 || bus % 16 != 0 {
            out.append(CatalogProblem(r, "data-rate", "bus_width_bits \(bus) is not a positive multiple of 16"))
        }
        guard let rate = r.double("data_rate_gbps") else { return out }
        if let range = dataRateRanges[r["memory_type"]] {
            if !range.contains(rate) {
                out.append(CatalogProblem(r, "data-rate", "data_rate_gbps \(rate) is outside \(range.lowerBound)…\(range.upperBound) Gbps per pin for \(r["memory_type"]): is it a clock in MHz or a rate in MT/s?"))
            }
        } else if rate <= 0 {
            out.append(CatalogProblem(r, "data-rate", "data_rate_gbps \(rate) must be positive"))
        }
        return out
    }

    /// Rows that claim one PCI vendor:device id. The probe tells them apart by revision, subsystem ids and VRAM
    /// (``GPUMatcher``); each pair needs a row that says so in `tie_break`, and the data must then differ — unless
    /// `tie_break` says that nothing tells them apart (then the probe says so too). Reported on the later row of
    /// a pair, the one an edit or import added.
    static func pciShared(_ rows: [CatalogRecord]) -> [CatalogProblem] {
        var out: [CatalogProblem] = []
        let declared = ["not distinguishable", "indistinguishable", "not told apart", "cannot be told apart"]
        func saysNothingTells(_ r: CatalogRecord) -> Bool { declared.contains { r["tie_break"].lowercased().contains($0) } }
        func separated(_ a: CatalogRecord, _ b: CatalogRecord) -> Bool {
            let ra = Set(a.list("pci_revisions")), rb = Set(b.list("pci_revisions"))
            if !ra.isEmpty && !rb.isEmpty && ra.isDisjoint(with: rb) { return true }
            let sa = a["pci_subsys_vendor_id"] + ":" + a["pci_subsys_device_id"], sb = b["pci_subsys_vendor_id"] + ":" + b["pci_subsys_device_id"]
            // A row with its own subsystem id is picked out by it (GPUMatcher), even beside a row without one.
            if sa != sb { return true }
            if let va = a.int("vram_mib"), let vb = b.int("vram_mib"), va != vb { return true }
            return false
        }
        var seen: [String: [CatalogRecord]] = [:]
        for b in rows {
            let v = b["pci_vendor_id"], d = b["pci_device_id"]
            guard !v.isEmpty, !d.isEmpty else { continue }
            let key = "\(v):\(d)"
            for a in seen[key] ?? [] {
                if a["tie_break"].isEmpty && b["tie_break"].isEmpty {
                    out.append(CatalogProblem(b, "pci-shared", "PCI id \(key) is also claimed by \(a.id) (\(a.location)) and neither row says in tie_break how they are told apart (revision, subsystem ids or VRAM)"))
                } else if !separated(a, b) && !(saysNothingTells(a) || saysNothingTells(b)) {
                    out.append(CatalogProblem(b, "pci-shared", "PCI id \(key) is also claimed by \(a.id) (\(a.location)) and neither disjoint revisions, subsystem ids nor VRAM tell them apart: make the field tie_break names differ, or say in tie_break that they are not distinguishable"))
                }
            }
            seen[key, default: []].append(b)
        }
        return out
    }

    /// Every alias resolves, through the resolver `--gpu` uses, to its own row — or is shared only by rows of the
    /// same product name (one card under several PCI ids), where naming it lists them.
    static func gpuAliases(_ rows: [CatalogRecord], checking: (CatalogRecord) -> Bool = { _ in true }) -> [CatalogProblem] {
        let resolver = GPUNameResolver(entries: rows.map { ($0.id, $0["name"], $0.list("aliases")) })
        let order = Dictionary(rows.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let names = Dictionary(rows.map { ($0.id, $0["name"]) }, uniquingKeysWith: { a, _ in a })
        var out: [CatalogProblem] = []
        for (i, r) in rows.enumerated() where checking(r) {
            for alias in r.list("aliases") {
                switch resolver.resolve(alias) {
                case .found(let id) where id == r.id: break
                case .found(let id):
                    if (order[id] ?? 0) < i { out.append(CatalogProblem(r, "alias", "alias '\(alias)' resolves to \(id), not to this row")) }
                case .ambiguous(let ids):
                    let others = ids.filter { $0 != r.id && names[$0] != r["name"] }
                    if !others.isEmpty && others.allSatisfy({ (order[$0] ?? 0) < i }) {
                        out.append(CatalogProblem(r, "alias", "alias '\(alias)' also names \(others.joined(separator: ", ")), a different product"))
                    }
                case .notFound:
                    break
                }
            }
        }
        return out
    }
}
