import Foundation
import SpecFitCore

/// `specfit probe --explain`: every fact about the machine with where it came from — the file, the library
/// call, the catalog row, the rule — followed by what could not be known. It is what a user attaches to a
/// bug report, so it names paths exactly as they are on the machine.
public enum ProbeExplain {
    public static func render(_ m: Machine) -> String {
        var o: [String] = ["How SpecFit knows what it knows about this machine (\(m.origin))", ""]
        let facts = m.facts ?? []
        if m.facts == nil {
            o.append("This machine description records no origins (it was saved before `specfit probe` recorded them);")
            o.append("run `specfit probe --explain` on the machine itself for the full account.")
            o.append("")
        }

        let general = facts.filter { !$0.name.hasPrefix("cpu.") && !$0.name.hasPrefix("memory.") && !$0.name.hasPrefix("gpu ") }
        if !general.isEmpty {
            section("Host", general, into: &o)
        }
        var cpu = facts.filter { $0.name.hasPrefix("cpu.") }
        if let b = m.cpu.measuredBandwidth, !cpu.contains(where: { $0.name == "cpu.measuredBandwidth" }) {
            cpu.append(Fact(name: "cpu.measuredBandwidth", value: String(format: "%.1f GB/s", b.triadGBps),
                            origin: "STREAM-style triad, \(b.threads) threads, measured \(b.measuredAt)"))
        }
        section("CPU", cpu, into: &o)
        section("Memory", facts.filter { $0.name.hasPrefix("memory.") }, into: &o)

        for d in m.gpus {
            let prefix = "gpu \(d.pciAddress) "
            var gpuFacts = facts.filter { $0.name.hasPrefix(prefix) }.map {
                Fact(name: String($0.name.dropFirst(prefix.count)), value: $0.value, origin: $0.origin)
            }
            if let id = d.catalogID {
                gpuFacts.append(Fact(name: "catalog", value: "\(id) (confidence \(String(format: "%.2f", d.matchConfidence ?? 0)))",
                                     origin: "catalog/gpus.csv row \(id): \(d.matchReason ?? "matched by PCI id")"))
            }
            if d.isIntegrated, let shared = MachineResources.integratedMemory(d, memory: m.memory) {
                gpuFacts.append(Fact(name: "runtime can use", value: formatGiB(shared.bytes) + (shared.unified ? ", taken from system RAM" : ""),
                                     origin: "rule MachineResources.integratedMemory: " + shared.basis))
            }
            if m.facts == nil { gpuFacts += fieldsOnly(d) }
            section("GPU \(d.pciAddress)  \(d.name)", gpuFacts, into: &o)
        }
        if m.gpus.isEmpty {
            o.append("GPUs")
            o.append("  none listed" + (m.unknowns.contains { $0.contains("sys/bus/pci") } ? " (the PCI bus could not be read; see below)" : " on the PCI bus"))
            o.append("")
        }

        o.append("Could not be known")
        if m.unknowns.isEmpty {
            o.append("  nothing: every fact above was read")
        } else {
            for u in m.unknowns { o.append("  - \(u)") }
        }
        return o.joined(separator: "\n")
    }

    /// A titled block of `name = value` lines, each followed by its origin.
    static func section(_ title: String, _ facts: [Fact], into o: inout [String]) {
        o.append(title)
        if facts.isEmpty { o.append("  (nothing recorded)") }
        for f in facts {
            o.append("  \(f.name) = \(f.value)")
            o.append("      from \(f.origin)")
        }
        o.append("")
    }

    /// What a machine file without origins still says about a GPU.
    static func fieldsOnly(_ d: GPUDevice) -> [Fact] {
        var out = [Fact(name: "pci", value: "\(d.vendorID):\(d.deviceID)", origin: "machine file (origin not recorded)"),
                   Fact(name: "name", value: d.name, origin: d.nameSource)]
        if let t = d.vramTotalBytes { out.append(Fact(name: "vramTotalBytes", value: formatGiB(t), origin: d.memorySource ?? "machine file")) }
        return out
    }
}
