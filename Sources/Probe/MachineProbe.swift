import Foundation
import SpecFitCore

/// How to probe: which file tree, which NVML, whether to measure bandwidth.
public struct ProbeOptions: Sendable {
    /// Root of the machine's file system: "/" for this host, or a recorded tree
    /// (`data/fixtures/machines/<name>`) whose `proc/`, `sys/` and `usr/` mirror a real host's.
    public var root: String
    /// Where NVIDIA answers come from. nil: the real `libnvidia-ml.so.1` (`SystemNVML`) when `root`
    /// is "/", and the recorded `<root>/nvml.json` (`RecordedNVML`) for a recorded tree.
    public var nvml: (any NVMLSource)?
    /// Run the triad bandwidth measurement (~0.5 s). Only ever done for the live host: a recorded
    /// machine's bandwidth cannot be measured here.
    public var measureBandwidth: Bool
    /// Threads for the measurement; nil: the logical core count.
    public var bandwidthThreads: Int?
    /// MiB per triad array (three arrays).
    public var bandwidthMegabytesPerArray: Int
    /// pci.ids to name devices from. nil: `<root>/usr/share/misc/pci.ids` (Debian, Ubuntu, Arch),
    /// else `<root>/usr/share/hwdata/pci.ids` (Fedora, RHEL, openSUSE), else libpci's built-in path.
    public var pciIDsPath: String?

    public init(root: String = "/", nvml: (any NVMLSource)? = nil, measureBandwidth: Bool = true,
                bandwidthThreads: Int? = nil, bandwidthMegabytesPerArray: Int = 64, pciIDsPath: String? = nil) {
        self.root = root
        self.nvml = nvml
        self.measureBandwidth = measureBandwidth
        self.bandwidthThreads = bandwidthThreads
        self.bandwidthMegabytesPerArray = bandwidthMegabytesPerArray
        self.pciIDsPath = pciIDsPath
    }
}

/// Everything SpecFit can learn about the machine under `options.root`: CPU, RAM with its cgroup
/// limit, GPUs with their memory, and (live host only) the measured CPU memory bandwidth.
///
/// Never throws and never stops the process: whatever cannot be read (no /proc, no /sys, no NVML,
/// a libpci error) becomes a sentence in `Machine.unknowns` that says what is unknown and why.
public func probeMachine(_ options: ProbeOptions = ProbeOptions()) -> Machine {
    let root = SystemRoot(options.root)
    var unknowns: [String] = []
    var facts: [Fact] = []

    if !root.isHost && !root.isDirectory("") {
        unknowns.append("\(root.path) is not a directory: nothing about this machine can be read")
    }

    var cpu = probeCPU(root: root, unknowns: &unknowns, facts: &facts)
    let memory = probeMemory(root: root, unknowns: &unknowns, facts: &facts)

    let (nvml, nvmlUnavailable) = chooseNVML(options: options, root: root)
    var gpus = probeGPUs(root: root, pciIDsPath: options.pciIDsPath ?? defaultPCIIDs(root: root),
                         nvml: nvml, nvmlUnavailable: nvmlUnavailable, unknowns: &unknowns, facts: &facts)
    if !gpus.isEmpty {
        let environment = BackendEnvironment(root: root)
        for index in gpus.indices {
            let backends = environment.backends(for: gpus[index])
            gpus[index].backends = backends
            for backend in backends {
                facts.append(Fact(name: "gpu \(gpus[index].pciAddress) backend \(backend.backend.rawValue)",
                                  value: backend.likelyUsable ? "likely usable" : "not usable", origin: backend.evidence))
            }
        }
    }

    if options.measureBandwidth {
        if root.isHost {
            let measured = measureTriadBandwidth(
                threads: options.bandwidthThreads ?? cpu.logicalCores,
                megabytesPerArray: options.bandwidthMegabytesPerArray)
            cpu.measuredBandwidth = measured
            facts.append(Fact(name: "cpu.measuredBandwidth", value: String(format: "%.1f GB/s", measured.triadGBps),
                              origin: "STREAM-style triad, \(measured.threads) threads, 3 × \(measured.arrayBytes >> 20) MiB arrays, \(measured.measuredAt)"))
        } else {
            unknowns.append("CPU memory bandwidth not measured: \(root.path) is a recorded machine, not this host")
        }
    }

    let name = hostname(root: root)
    if let name {
        facts.insert(Fact(name: "hostname", value: name,
                          origin: root.exists("proc/sys/kernel/hostname") ? root.describe("proc/sys/kernel/hostname") : "gethostname(2)"), at: 0)
    }
    return Machine(
        hostname: name, cpu: cpu, memory: memory, gpus: gpus, unknowns: unknowns,
        origin: root.isHost ? "live probe" : "recorded machine \(root.path)", facts: facts)
}

/// The NVML source to use and, when there is none, the sentence that says why.
private func chooseNVML(options: ProbeOptions, root: SystemRoot) -> ((any NVMLSource)?, String?) {
    if let nvml = options.nvml { return (nvml, nil) }
    if root.isHost { return (SystemNVML(), nil) }
    let replayPath = root.resolve("nvml.json")
    guard FileManager.default.fileExists(atPath: replayPath) else {
        return (nil, "no NVML answers recorded for \(root.path) (nvml.json): NVIDIA memory unknown")
    }
    do {
        return (try RecordedNVML(path: replayPath), nil)
    } catch {
        return (nil, error.localizedDescription)
    }
}

private func defaultPCIIDs(root: SystemRoot) -> String? {
    for candidate in ["usr/share/misc/pci.ids", "usr/share/hwdata/pci.ids"] where root.exists(candidate) {
        return root.resolve(candidate)
    }
    return nil
}

/// `kernel.hostname` (proc(5) /proc/sys/kernel/hostname), else `gethostname` on the live host.
private func hostname(root: SystemRoot) -> String? {
    if let name = root.readLine("proc/sys/kernel/hostname"), !name.isEmpty { return name }
    guard root.isHost else { return nil }
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return nil }
    let name = PCIBus.cleaned(buffer)
    return name.isEmpty ? nil : name
}
