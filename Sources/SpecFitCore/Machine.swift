import Foundation

/// What SpecFit knows about one host: CPU, RAM, GPUs and the measured CPU memory bandwidth.
///
/// `specfit probe --json` prints exactly this value and `--machine FILE` reads it back, so a
/// saved probe from another computer can be judged here. Every number carries where it came from
/// (``Fact/origin``-style strings in `origins`), and everything the probe could not learn is listed in
/// `unknowns` instead of being guessed.
public struct Machine: Codable, Sendable, Equatable {
    /// Schema version of this JSON document; bumped only on incompatible changes.
    public var schemaVersion: Int
    /// Host name, or nil when unknown.
    public var hostname: String?
    public var cpu: CPUInfo
    public var memory: MemoryInfo
    /// GPUs found on the PCI bus (display controllers, 3D controllers), in bus order.
    public var gpus: [GPUDevice]
    /// Facts the probe could not learn, one sentence each ("no /sys/bus/pci: GPUs unknown").
    public var unknowns: [String]
    /// How this value was obtained: "live probe", "file /path/probe.json", "what-if".
    public var origin: String
    /// Every fact the probe learned with where it came from (file path, library call), in probe order;
    /// what `specfit probe --explain` prints. nil in documents written before the probe recorded origins.
    public var facts: [Fact]?

    public init(schemaVersion: Int = 1, hostname: String? = nil, cpu: CPUInfo, memory: MemoryInfo,
                gpus: [GPUDevice] = [], unknowns: [String] = [], origin: String, facts: [Fact]? = nil) {
        self.schemaVersion = schemaVersion
        self.hostname = hostname
        self.cpu = cpu
        self.memory = memory
        self.gpus = gpus
        self.unknowns = unknowns
        self.origin = origin
        self.facts = facts
    }
}

/// One thing the probe learned and where it learned it, e.g.
/// `Fact(name: "cpu.model", value: "AMD Ryzen 9 7950X 16-Core Processor", origin: "/proc/cpuinfo 'model name'")`.
public struct Fact: Codable, Sendable, Equatable {
    /// Dotted name of the fact: "cpu.model", "memory.cgroupLimitBytes", "gpu 0000:01:00.0 vramTotalBytes".
    public var name: String
    /// The value as a person reads it ("24564 MiB (25757220864 bytes)").
    public var value: String
    /// Where it came from: a file path, a library call, a rule.
    public var origin: String

    public init(name: String, value: String, origin: String) {
        self.name = name
        self.value = value
        self.origin = origin
    }
}

/// Whether a llama.cpp backend is likely usable for one GPU on this machine, and how that was found.
public struct BackendAvailability: Codable, Sendable, Equatable {
    public var backend: GPUSpec.Backend
    /// True when the driver and the runtime library it needs were both found.
    public var likelyUsable: Bool
    /// What was found and what was missing, with paths ("libcuda.so.1 in /usr/lib/x86_64-linux-gnu; /proc/driver/nvidia/version: 550.163.01").
    public var evidence: String

    public init(backend: GPUSpec.Backend, likelyUsable: Bool, evidence: String) {
        self.backend = backend
        self.likelyUsable = likelyUsable
        self.evidence = evidence
    }
}

/// One MIG (Multi-Instance GPU) device of an NVIDIA GPU as NVML reports it.
public struct MIGDevice: Codable, Sendable, Equatable {
    /// Index passed to `nvmlDeviceGetMigDeviceHandleByIndex`.
    public var index: Int
    /// `nvmlDeviceGetName` of the MIG handle, e.g. "NVIDIA A100-SXM4-80GB MIG 2g.20gb".
    public var name: String?
    /// The profile from the name ("2g.20gb"), nil when the name carries none.
    public var profile: String?
    public var memoryTotalBytes: Int64?
    public var memoryFreeBytes: Int64?

    public init(index: Int, name: String? = nil, profile: String? = nil, memoryTotalBytes: Int64? = nil,
                memoryFreeBytes: Int64? = nil) {
        self.index = index
        self.name = name
        self.profile = profile
        self.memoryTotalBytes = memoryTotalBytes
        self.memoryFreeBytes = memoryFreeBytes
    }
}

/// The CPU package(s) of a host.
public struct CPUInfo: Codable, Sendable, Equatable {
    /// Marketing name from `/proc/cpuinfo` `model name`, e.g. "AMD EPYC 9B45".
    public var model: String
    /// CPU vendor id (`GenuineIntel`, `AuthenticAMD`, `ARM` …), nil when unknown.
    public var vendor: String?
    /// Physical cores (distinct `(physical id, core id)` pairs), nil when unknown.
    public var physicalCores: Int?
    /// Logical CPUs the process may run on.
    public var logicalCores: Int
    /// SIMD extensions relevant to inference kernels (`avx2`, `avx512f`, `avx512_vnni`, `neon` …).
    public var simdFlags: [String]
    /// Nominal or current clock in MHz where the kernel reports one.
    public var frequencyMHz: Double?
    /// Measured CPU memory bandwidth (STREAM-style triad), nil when not measured.
    public var measuredBandwidth: BandwidthMeasurement?

    public init(model: String, vendor: String? = nil, physicalCores: Int? = nil, logicalCores: Int,
                simdFlags: [String] = [], frequencyMHz: Double? = nil,
                measuredBandwidth: BandwidthMeasurement? = nil) {
        self.model = model
        self.vendor = vendor
        self.physicalCores = physicalCores
        self.logicalCores = logicalCores
        self.simdFlags = simdFlags
        self.frequencyMHz = frequencyMHz
        self.measuredBandwidth = measuredBandwidth
    }
}

/// A STREAM-style triad (`a[i] = b[i] + s·c[i]`) measurement of CPU memory bandwidth.
///
/// Bytes counted per element are 3 × 8 (two reads and one write of `Double`), as STREAM counts them
/// (McCalpin, STREAM benchmark, https://www.cs.virginia.edu/stream/ref.html).
public struct BandwidthMeasurement: Codable, Sendable, Equatable {
    /// Best observed bandwidth in GB/s (10^9 bytes per second).
    public var triadGBps: Double
    public var threads: Int
    /// Array size per stream in bytes.
    public var arrayBytes: Int64
    /// ISO-8601 date of the measurement.
    public var measuredAt: String
    public init(triadGBps: Double, threads: Int, arrayBytes: Int64, measuredAt: String) {
        self.triadGBps = triadGBps
        self.threads = threads
        self.arrayBytes = arrayBytes
        self.measuredAt = measuredAt
    }
}

/// System memory as the process can use it.
public struct MemoryInfo: Codable, Sendable, Equatable {
    /// `MemTotal` from `/proc/meminfo`, in bytes.
    public var totalBytes: Int64
    /// `MemAvailable` from `/proc/meminfo`, in bytes (nil when the kernel does not report it).
    public var availableBytes: Int64?
    /// The cgroup memory limit (v2 `memory.max` or v1 `memory.limit_in_bytes`), nil when unlimited.
    public var cgroupLimitBytes: Int64?
    /// Current cgroup usage, when a limit is set.
    public var cgroupUsageBytes: Int64?
    /// 1 or 2 when a cgroup hierarchy was read, nil otherwise.
    public var cgroupVersion: Int?

    public init(totalBytes: Int64, availableBytes: Int64? = nil, cgroupLimitBytes: Int64? = nil,
                cgroupUsageBytes: Int64? = nil, cgroupVersion: Int? = nil) {
        self.totalBytes = totalBytes
        self.availableBytes = availableBytes
        self.cgroupLimitBytes = cgroupLimitBytes
        self.cgroupUsageBytes = cgroupUsageBytes
        self.cgroupVersion = cgroupVersion
    }

    /// Memory this process can still use, in bytes: `MemAvailable` (or `MemTotal`) capped by what the
    /// cgroup limit leaves (`limit − usage`).
    public var usableBytes: Int64 {
        var usable = availableBytes ?? totalBytes
        if let limit = cgroupLimitBytes {
            usable = min(usable, max(0, limit - (cgroupUsageBytes ?? 0)))
        }
        return usable
    }

    /// Memory the host has for a model in principle (total, capped by the cgroup limit), in bytes.
    public var capacityBytes: Int64 {
        if let limit = cgroupLimitBytes { return min(totalBytes, limit) }
        return totalBytes
    }
}

/// One GPU as found on the PCI bus, with what the driver and NVML said about its memory.
public struct GPUDevice: Codable, Sendable, Equatable {
    /// PCI address `domain:bus:device.function`, e.g. "0000:01:00.0".
    public var pciAddress: String
    /// PCI vendor and device ids, subsystem ids and revision as 4-/2-digit lowercase hex strings.
    public var vendorID: String
    public var deviceID: String
    public var subsystemVendorID: String?
    public var subsystemDeviceID: String?
    public var revision: String?
    /// Product name and where it came from: "catalog rtx-4090", "pci.ids", "NVML".
    public var name: String
    public var nameSource: String
    /// Kernel driver bound to the device (`nvidia`, `amdgpu`, `i915`, `xe` …), nil when none.
    public var driver: String?
    /// Dedicated memory total and free in bytes, nil when no source reports them.
    public var vramTotalBytes: Int64?
    public var vramFreeBytes: Int64?
    /// GTT (system memory the GPU can map) for AMD GPUs, in bytes.
    public var gttTotalBytes: Int64?
    public var gttFreeBytes: Int64?
    /// Where the memory figures came from: "NVML nvmlDeviceGetMemoryInfo", "sysfs mem_info_vram_total" …
    public var memorySource: String?
    /// True for an integrated GPU sharing system RAM (APU, iGPU).
    public var isIntegrated: Bool
    /// Catalog card this device was matched to, with a confidence 0…1 and the reason.
    public var catalogID: String?
    public var matchConfidence: Double?
    public var matchReason: String?
    /// false when the GPU is on the PCI bus but this process cannot use it (NVML, which answers for the
    /// GPUs a container was given, does not know it); nil when nothing tells either way.
    public var visibleToRuntime: Bool?
    /// MIG devices NVML let this process see, nil when MIG is off or unknown. With MIG on, CUDA runs on
    /// one MIG device, so `vramTotalBytes`/`vramFreeBytes` are those of the first one listed here.
    public var migDevices: [MIGDevice]?
    /// llama.cpp backends likely usable for this GPU, with how each was found; nil when not probed.
    public var backends: [BackendAvailability]?

    public init(pciAddress: String, vendorID: String, deviceID: String, subsystemVendorID: String? = nil,
                subsystemDeviceID: String? = nil, revision: String? = nil, name: String, nameSource: String,
                driver: String? = nil, vramTotalBytes: Int64? = nil, vramFreeBytes: Int64? = nil,
                gttTotalBytes: Int64? = nil, gttFreeBytes: Int64? = nil, memorySource: String? = nil,
                isIntegrated: Bool = false, catalogID: String? = nil, matchConfidence: Double? = nil,
                matchReason: String? = nil, visibleToRuntime: Bool? = nil, migDevices: [MIGDevice]? = nil,
                backends: [BackendAvailability]? = nil) {
        self.pciAddress = pciAddress
        self.vendorID = vendorID
        self.deviceID = deviceID
        self.subsystemVendorID = subsystemVendorID
        self.subsystemDeviceID = subsystemDeviceID
        self.revision = revision
        self.name = name
        self.nameSource = nameSource
        self.driver = driver
        self.vramTotalBytes = vramTotalBytes
        self.vramFreeBytes = vramFreeBytes
        self.gttTotalBytes = gttTotalBytes
        self.gttFreeBytes = gttFreeBytes
        self.memorySource = memorySource
        self.isIntegrated = isIntegrated
        self.catalogID = catalogID
        self.matchConfidence = matchConfidence
        self.matchReason = matchReason
        self.visibleToRuntime = visibleToRuntime
        self.migDevices = migDevices
        self.backends = backends
    }
}
