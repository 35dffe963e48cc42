import Foundation
import SpecFitCore
#if canImport(Glibc)
import Glibc
#endif

/// What NVML said about one GPU. Every field is optional: NVML answers `NVML_ERROR_NOT_SUPPORTED`
/// for some queries on some boards, and a replay may record only part of an answer.
public struct NVMLDeviceReport: Codable, Sendable, Equatable {
    /// The PCI address this report is for, as the caller asked ("0000:01:00.0").
    public var pciAddress: String
    /// `nvmlDeviceGetName`, e.g. "NVIDIA GeForce RTX 4090".
    public var name: String?
    /// `nvmlDeviceGetMemoryInfo` (v1 `nvmlMemory_t`: total, free, used, in bytes).
    public var memoryTotalBytes: Int64?
    public var memoryFreeBytes: Int64?
    public var memoryUsedBytes: Int64?
    /// `nvmlDeviceGetMemoryBusWidth`, in bits.
    public var memoryBusWidthBits: Int?
    /// `nvmlDeviceGetMaxClockInfo(NVML_CLOCK_MEM)`, in MHz.
    public var maxMemoryClockMHz: Int?
    /// Queries that failed, one sentence each ("nvmlDeviceGetMemoryBusWidth: Not Supported").
    public var problems: [String]
    /// `nvmlDeviceGetMigMode` current mode: true when MIG is enabled, nil when the call failed or is absent.
    public var migEnabled: Bool?
    /// The MIG devices `nvmlDeviceGetMigDeviceHandleByIndex` returned (in a container only those it was given).
    public var migDevices: [MIGDevice]

    public init(pciAddress: String, name: String? = nil, memoryTotalBytes: Int64? = nil, memoryFreeBytes: Int64? = nil,
                memoryUsedBytes: Int64? = nil, memoryBusWidthBits: Int? = nil, maxMemoryClockMHz: Int? = nil,
                problems: [String] = [], migEnabled: Bool? = nil, migDevices: [MIGDevice] = []) {
        self.pciAddress = pciAddress
        self.name = name
        self.memoryTotalBytes = memoryTotalBytes
        self.memoryFreeBytes = memoryFreeBytes
        self.memoryUsedBytes = memoryUsedBytes
        self.memoryBusWidthBits = memoryBusWidthBits
        self.maxMemoryClockMHz = maxMemoryClockMHz
        self.problems = problems
        self.migEnabled = migEnabled
        self.migDevices = migDevices
    }
}

/// Why NVML gave no answers at all.
public enum NVMLError: LocalizedError, Sendable, Equatable {
    /// dlopen failed: no NVIDIA driver installed (or not in the loader path).
    case libraryNotFound(library: String, reason: String)
    /// The library lacks a function NVML has had since driver 325 (a broken or foreign library).
    case symbolMissing(library: String, symbol: String)
    /// `nvmlInit_v2` failed, e.g. "Driver/library version mismatch" after a driver upgrade.
    case initFailed(code: Int32, message: String)
    /// A replay file could not be read or decoded.
    case replayUnreadable(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .libraryNotFound(let library, _):
            return "NVML (\(library)) not found: NVIDIA memory unknown; install the NVIDIA driver"
        case .symbolMissing(let library, let symbol):
            return "\(library) has no \(symbol): NVIDIA memory unknown; reinstall the NVIDIA driver"
        case .initFailed(let code, let message):
            return "nvmlInit_v2 failed (\(code): \(message)): NVIDIA memory unknown; check `nvidia-smi` (a driver/library mismatch needs a reboot)"
        case .replayUnreadable(let path, let reason):
            return "cannot read NVML replay \(path): \(reason); fix or remove the file"
        }
    }
}

/// Where NVML answers come from: the real library (`SystemNVML`) or a recorded machine's answers
/// (`RecordedNVML`, a test fixture mechanism — production always uses the real library).
public protocol NVMLSource: Sendable {
    /// How to name this source in `GPUDevice.memorySource` and messages.
    var sourceDescription: String { get }
    /// One NVML session (init, a query per address, shutdown). Addresses are PCI
    /// `domain:bus:device.function` strings; a GPU NVML does not know is left out of the result.
    func query(pciAddresses: [String]) throws(NVMLError) -> [NVMLDeviceReport]
}

// MARK: - The real library

/// NVML loaded with `dlopen`, so SpecFit runs (and says what it could not learn) on machines
/// without the NVIDIA driver.
///
/// Signatures and constants: NVIDIA nvml.h (as vendored in NVIDIA/go-nvml gen/nvml/nvml.h):
/// `nvmlInit_v2(void)`, `nvmlShutdown(void)`, `nvmlErrorString(nvmlReturn_t)`,
/// `nvmlDeviceGetHandleByPciBusId_v2(const char *, nvmlDevice_t *)` (accepts
/// "domain:bus:device.function" in %x:%x:%x.%x), `nvmlDeviceGetName(nvmlDevice_t, char *, unsigned)`
/// with NVML_DEVICE_NAME_V2_BUFFER_SIZE = 96, `nvmlDeviceGetMemoryInfo(nvmlDevice_t, nvmlMemory_t *)`
/// where `nvmlMemory_t` is `{ unsigned long long total, free, used }`,
/// `nvmlDeviceGetMemoryBusWidth(nvmlDevice_t, unsigned *)`,
/// `nvmlDeviceGetMaxClockInfo(nvmlDevice_t, nvmlClockType_t, unsigned *)` with NVML_CLOCK_MEM = 2;
/// MIG: `nvmlDeviceGetMigMode(nvmlDevice_t, unsigned *current, unsigned *pending)` with
/// NVML_DEVICE_MIG_ENABLE = 1, `nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t, unsigned *)`,
/// `nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t, unsigned, nvmlDevice_t *)` (NVML_ERROR_NOT_FOUND
/// when no MIG device is at that index, or this container was not given it);
/// `nvmlReturn_t` 0 is NVML_SUCCESS.
public struct SystemNVML: NVMLSource {
    /// The soname the driver installs; the unversioned `libnvidia-ml.so` comes only with dev packages.
    public var libraryName: String

    public init(libraryName: String = "libnvidia-ml.so.1") {
        self.libraryName = libraryName
    }

    public var sourceDescription: String { "NVML \(libraryName)" }

    private typealias VoidCall = @convention(c) () -> Int32
    private typealias ErrorStringCall = @convention(c) (Int32) -> UnsafePointer<CChar>?
    private typealias HandleByBusIDCall = @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    private typealias NameCall = @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, UInt32) -> Int32
    /// The `nvmlMemory_t*` argument as a pointer to its three `unsigned long long` fields.
    private typealias MemoryCall = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt64>?) -> Int32
    private typealias UIntCall = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt32>?) -> Int32
    private typealias ClockCall = @convention(c) (OpaquePointer?, UInt32, UnsafeMutablePointer<UInt32>?) -> Int32
    private typealias MigModeCall = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<UInt32>?) -> Int32
    private typealias MigHandleCall = @convention(c) (OpaquePointer?, UInt32, UnsafeMutablePointer<OpaquePointer?>?) -> Int32

    private static let nvmlClockMem: UInt32 = 2
    private static let nvmlDeviceNameV2BufferSize = 96

    public func query(pciAddresses: [String]) throws(NVMLError) -> [NVMLDeviceReport] {
        guard let library = dlopen(libraryName, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            throw .libraryNotFound(library: libraryName, reason: reason)
        }
        defer { dlclose(library) }

        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            guard let pointer = dlsym(library, name) else { return nil }
            return unsafeBitCast(pointer, to: type)
        }
        guard let initialize = symbol("nvmlInit_v2", as: VoidCall.self) else {
            throw .symbolMissing(library: libraryName, symbol: "nvmlInit_v2")
        }
        guard let shutdown = symbol("nvmlShutdown", as: VoidCall.self) else {
            throw .symbolMissing(library: libraryName, symbol: "nvmlShutdown")
        }
        guard let handleByBusID = symbol("nvmlDeviceGetHandleByPciBusId_v2", as: HandleByBusIDCall.self) else {
            throw .symbolMissing(library: libraryName, symbol: "nvmlDeviceGetHandleByPciBusId_v2")
        }
        let errorString = symbol("nvmlErrorString", as: ErrorStringCall.self)
        let getName = symbol("nvmlDeviceGetName", as: NameCall.self)
        let getMemory = symbol("nvmlDeviceGetMemoryInfo", as: MemoryCall.self)
        let getBusWidth = symbol("nvmlDeviceGetMemoryBusWidth", as: UIntCall.self)
        let getMaxClock = symbol("nvmlDeviceGetMaxClockInfo", as: ClockCall.self)
        let getMigMode = symbol("nvmlDeviceGetMigMode", as: MigModeCall.self)
        let getMaxMigCount = symbol("nvmlDeviceGetMaxMigDeviceCount", as: UIntCall.self)
        let getMigHandle = symbol("nvmlDeviceGetMigDeviceHandleByIndex", as: MigHandleCall.self)

        func describe(_ code: Int32) -> String {
            if let errorString, let text = errorString(code) { return String(cString: text) }
            return "NVML error \(code)"
        }

        let initCode = initialize()
        guard initCode == 0 else { throw .initFailed(code: initCode, message: describe(initCode)) }
        defer { _ = shutdown() }

        var reports: [NVMLDeviceReport] = []
        for address in pciAddresses {
            var handle: OpaquePointer?
            let found = address.withCString { handleByBusID($0, &handle) }
            guard found == 0, handle != nil else { continue }
            var report = NVMLDeviceReport(pciAddress: address)

            if let getName {
                var buffer = [CChar](repeating: 0, count: Self.nvmlDeviceNameV2BufferSize)
                let code = getName(handle, &buffer, UInt32(buffer.count))
                if code == 0 { report.name = PCIBus.cleaned(buffer) } else { report.problems.append("nvmlDeviceGetName: \(describe(code))") }
            }
            /// (total, free, used) of a device or MIG handle, or the error's text.
            func memoryInfo(_ device: OpaquePointer?) -> Result<(Int64, Int64, Int64), NVMLCallFailure> {
                guard let getMemory else { return .failure(NVMLCallFailure(text: "missing from \(libraryName)")) }
                var memory: (UInt64, UInt64, UInt64) = (0, 0, 0)
                let code = withUnsafeMutableBytes(of: &memory) { raw in
                    getMemory(device, raw.baseAddress?.assumingMemoryBound(to: UInt64.self))
                }
                guard code == 0 else { return .failure(NVMLCallFailure(text: describe(code))) }
                return .success((Int64(clamping: memory.0), Int64(clamping: memory.1), Int64(clamping: memory.2)))
            }
            switch memoryInfo(handle) {
            case .success(let (total, free, used)):
                report.memoryTotalBytes = total
                report.memoryFreeBytes = free
                report.memoryUsedBytes = used
            case .failure(let failure):
                report.problems.append("nvmlDeviceGetMemoryInfo: \(failure.text)")
            }
            if let getMigMode {
                var current: UInt32 = 0
                var pending: UInt32 = 0
                if getMigMode(handle, &current, &pending) == 0 { report.migEnabled = current == 1 }
            }
            if report.migEnabled == true, let getMaxMigCount, let getMigHandle {
                var count: UInt32 = 0
                if getMaxMigCount(handle, &count) == 0 {
                    for index in 0..<count {
                        var mig: OpaquePointer?
                        guard getMigHandle(handle, index, &mig) == 0, mig != nil else { continue }
                        var device = MIGDevice(index: Int(index))
                        if let getName {
                            var buffer = [CChar](repeating: 0, count: Self.nvmlDeviceNameV2BufferSize)
                            if getName(mig, &buffer, UInt32(buffer.count)) == 0 {
                                device.name = PCIBus.cleaned(buffer)
                                device.profile = migProfile(fromName: device.name ?? "")
                            }
                        }
                        if case .success(let (total, free, _)) = memoryInfo(mig) {
                            device.memoryTotalBytes = total
                            device.memoryFreeBytes = free
                        }
                        report.migDevices.append(device)
                    }
                }
            }
            if let getBusWidth {
                var width: UInt32 = 0
                let code = getBusWidth(handle, &width)
                if code == 0 { report.memoryBusWidthBits = Int(width) } else { report.problems.append("nvmlDeviceGetMemoryBusWidth: \(describe(code))") }
            }
            if let getMaxClock {
                var clock: UInt32 = 0
                let code = getMaxClock(handle, Self.nvmlClockMem, &clock)
                if code == 0 { report.maxMemoryClockMHz = Int(clock) } else { report.problems.append("nvmlDeviceGetMaxClockInfo(NVML_CLOCK_MEM): \(describe(code))") }
            }
            reports.append(report)
        }
        return reports
    }
}

// MARK: - Recorded answers

/// NVML answers recorded from a real machine, replayed for tests of recorded machines.
///
/// The file (`nvml.json` at the root of a recorded tree) mirrors what the calls return:
/// ```json
/// { "source": "where these numbers come from",
///   "initError": null,
///   "devices": [ { "busId": "00000000:01:00.0", "name": "NVIDIA GeForce RTX 4090",
///                  "memory": { "total": 25757220864, "free": 25225592832, "used": 531628032 },
///                  "memoryBusWidth": 384, "maxClockMem": 10501 } ] }
/// ```
/// `busId` is matched numerically, so NVML's 8-digit-domain form and sysfs's 4-digit form both work.
/// A non-null `initError` replays a failed `nvmlInit_v2` with that message. A device may also carry
/// `"memoryError": "Insufficient Permissions"` (what `nvmlDeviceGetMemoryInfo` answered instead of a
/// figure), `"migMode": 1` and `"migDevices": [{"index": 0, "name": "…MIG 2g.20gb", "memory": {…}}]`
/// (the MIG devices this process was given).
public struct RecordedNVML: NVMLSource {
    public struct File: Codable, Sendable, Equatable {
        public struct Memory: Codable, Sendable, Equatable {
            public var total: UInt64
            public var free: UInt64
            public var used: UInt64
        }
        public struct MIG: Codable, Sendable, Equatable {
            public var index: Int
            public var name: String?
            public var memory: Memory?
        }
        public struct Device: Codable, Sendable, Equatable {
            public var busId: String
            public var name: String?
            public var memory: Memory?
            public var memoryError: String?
            public var memoryBusWidth: Int?
            public var maxClockMem: Int?
            public var migMode: Int?
            public var migDevices: [MIG]?
        }
        public var source: String?
        public var initError: String?
        public var devices: [Device]
    }

    public var path: String
    public var file: File

    /// Reads and decodes a replay file.
    public init(path: String) throws(NVMLError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .replayUnreadable(path: path, reason: error.localizedDescription)
        }
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw .replayUnreadable(path: path, reason: "not an NVML replay (\(error))")
        }
        self.path = path
    }

    public var sourceDescription: String { "NVML replay \((path as NSString).lastPathComponent)" }

    public func query(pciAddresses: [String]) throws(NVMLError) -> [NVMLDeviceReport] {
        if let message = file.initError { throw .initFailed(code: -1, message: message) }
        var reports: [NVMLDeviceReport] = []
        for address in pciAddresses {
            guard let key = PCIAddressKey(address),
                  let device = file.devices.first(where: { PCIAddressKey($0.busId) == key }) else { continue }
            var problems: [String] = []
            if device.memory == nil { problems.append("nvmlDeviceGetMemoryInfo: \(device.memoryError ?? "not recorded")") }
            let migs = (device.migDevices ?? []).map { mig in
                MIGDevice(index: mig.index, name: mig.name, profile: mig.name.flatMap(migProfile(fromName:)),
                          memoryTotalBytes: mig.memory.map { Int64(clamping: $0.total) },
                          memoryFreeBytes: mig.memory.map { Int64(clamping: $0.free) })
            }
            reports.append(NVMLDeviceReport(
                pciAddress: address, name: device.name,
                memoryTotalBytes: device.memory.map { Int64(clamping: $0.total) },
                memoryFreeBytes: device.memory.map { Int64(clamping: $0.free) },
                memoryUsedBytes: device.memory.map { Int64(clamping: $0.used) },
                memoryBusWidthBits: device.memoryBusWidth, maxMemoryClockMHz: device.maxClockMem,
                problems: problems, migEnabled: device.migMode.map { $0 == 1 }, migDevices: migs))
        }
        return reports
    }
}

/// A PCI address compared by value: "00000000:01:00.0" == "0000:01:00.0".
struct PCIAddressKey: Hashable, Sendable {
    var domain: UInt32
    var bus: UInt32
    var device: UInt32
    var function: UInt32

    init?(_ text: String) {
        let colonParts = text.split(separator: ":")
        guard colonParts.count == 3 else { return nil }
        let deviceParts = colonParts[2].split(separator: ".")
        guard deviceParts.count == 2,
              let domain = UInt32(colonParts[0], radix: 16), let bus = UInt32(colonParts[1], radix: 16),
              let device = UInt32(deviceParts[0], radix: 16), let function = UInt32(deviceParts[1], radix: 16) else { return nil }
        self.domain = domain
        self.bus = bus
        self.device = device
        self.function = function
    }
}

/// An NVML call's error text (`nvmlErrorString`), as a `Result` failure.
struct NVMLCallFailure: Error {
    var text: String
}

/// The MIG profile in a MIG device's name: "NVIDIA A100-SXM4-80GB MIG 2g.20gb" → "2g.20gb" (the form
/// `nvidia-smi -L` prints, "MIG 2g.20gb Device 0"); nil when the name carries none.
func migProfile(fromName name: String) -> String? {
    let words = name.split(separator: " ")
    guard let mig = words.firstIndex(of: "MIG"), mig + 1 < words.count else { return nil }
    let profile = words[mig + 1]
    return profile.contains("g.") ? String(profile) : nil
}
