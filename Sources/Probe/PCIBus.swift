import CLibPCI
import Foundation

/// One PCI function as libpci read it from a sysfs tree, with its names from pci.ids.
public struct PCIDevice: Sendable, Equatable {
    /// `domain:bus:device.function`, e.g. "0000:01:00.0" (the sysfs directory name).
    public var address: String
    public var domain: Int
    public var bus: Int
    public var device: Int
    public var function: Int
    public var vendorID: UInt16
    public var deviceID: UInt16
    /// Base class << 8 | subclass, e.g. 0x0300 (VGA), 0x0302 (3D controller), 0x0403 (audio).
    public var classCode: UInt16
    public var revision: UInt8?
    public var subsystemVendorID: UInt16?
    public var subsystemDeviceID: UInt16?
    /// Bound kernel driver (`nvidia`, `amdgpu` …), nil when none.
    public var driver: String?
    /// Names from pci.ids, nil when the file lacks the entry.
    public var vendorName: String?
    public var deviceName: String?

    /// PCI base class 0x03, "Display controller" (PCI Code and ID Assignment Specification r1.11 §1.4):
    /// 0x0300 VGA, 0x0301 XGA, 0x0302 3D controller (datacenter GPUs without display), 0x0380 other.
    public var isDisplayController: Bool { classCode >> 8 == 0x03 }
}

/// Why libpci could not list the bus.
public enum PCIBusError: LocalizedError, Sendable, Equatable {
    case noSysfs(path: String)
    case libpci(message: String, sysfsPath: String)

    public var errorDescription: String? {
        switch self {
        case .noSysfs(let path):
            return "no \(path): GPUs unknown (running in a chroot or container without sysfs? mount /sys or run on the host)"
        case .libpci(let message, let sysfsPath):
            return "libpci could not read \(sysfsPath): \(message); GPUs unknown (check that /sys/bus/pci is readable)"
        }
    }
}

/// What a scan of the PCI bus found.
public struct PCIBusScan: Sendable, Equatable {
    public var devices: [PCIDevice]
    /// libpci warnings (unreadable files), one per line; empty when all went well.
    public var warnings: [String]
    /// The pci.ids file names came from, nil for libpci's built-in default path.
    public var pciIDsPath: String?
}

/// The PCI bus through libpci (pciutils), forced onto the Linux sysfs access method so that a
/// recorded sysfs tree reads exactly like the live one.
public enum PCIBus {
    /// Lists every PCI function under `sysfsBusPCI` (the directory holding `devices/`, normally
    /// "/sys/bus/pci"), naming them from `pciIDsPath` (nil: libpci's default).
    ///
    /// Never exits the process: the C shim replaces libpci's exiting error handler (see clibpci.h).
    public static func scan(sysfsBusPCI: String, pciIDsPath: String?) throws(PCIBusError) -> PCIBusScan {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: sysfsBusPCI + "/devices", isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw .noSysfs(path: sysfsBusPCI)
        }

        var message = [CChar](repeating: 0, count: Int(SPECFIT_PCI_MESSAGE_SIZE))
        guard let session = specfit_pci_open(sysfsBusPCI, pciIDsPath, &message) else {
            throw .libpci(message: cleaned(message), sysfsPath: sysfsBusPCI)
        }
        defer { specfit_pci_close(session) }

        let count = specfit_pci_scan(session, &message)
        guard count >= 0 else {
            throw .libpci(message: cleaned(message), sysfsPath: sysfsBusPCI)
        }

        var devices: [PCIDevice] = []
        devices.reserveCapacity(Int(count))
        for index in 0..<count {
            var raw = specfit_pci_device()
            guard specfit_pci_device_at(session, index, &raw) == 0 else { continue }
            var device = PCIDevice(raw)
            device.vendorName = lookup { specfit_pci_lookup_vendor_name(session, $0, $1, raw.vendor_id) }
            device.deviceName = lookup { specfit_pci_lookup_device_name(session, $0, $1, raw.vendor_id, raw.device_id) }
            devices.append(device)
        }
        devices.sort { ($0.domain, $0.bus, $0.device, $0.function) < ($1.domain, $1.bus, $1.device, $1.function) }

        var warningBuffer = [CChar](repeating: 0, count: 4096)
        specfit_pci_warnings(session, &warningBuffer, Int32(warningBuffer.count))
        let warnings = cleaned(warningBuffer).split(separator: "\n").map(String.init)
        return PCIBusScan(devices: devices, warnings: warnings, pciIDsPath: pciIDsPath)
    }

    /// Runs one name lookup into a 256-byte buffer; nil when pci.ids has no entry or libpci failed.
    private static func lookup(_ body: (UnsafeMutablePointer<CChar>, Int32) -> Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let found = buffer.withUnsafeMutableBufferPointer { pointer -> Int32 in
            guard let base = pointer.baseAddress else { return -1 }
            return body(base, Int32(pointer.count))
        }
        guard found == 1 else { return nil }
        let name = cleaned(buffer)
        return name.isEmpty ? nil : name
    }

    /// A NUL-terminated C buffer as a Swift string without trailing white space.
    static func cleaned(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension PCIDevice {
    init(_ raw: specfit_pci_device) {
        let driverName = withUnsafeBytes(of: raw.driver) { bytes -> String in
            let prefix = bytes.prefix { $0 != 0 }
            return String(decoding: prefix, as: UTF8.self)
        }
        self.init(
            address: String(format: "%04x:%02x:%02x.%x", raw.domain, raw.bus, raw.dev, raw.func),
            domain: Int(raw.domain), bus: Int(raw.bus), device: Int(raw.dev), function: Int(raw.func),
            vendorID: UInt16(truncatingIfNeeded: raw.vendor_id),
            deviceID: UInt16(truncatingIfNeeded: raw.device_id),
            classCode: UInt16(truncatingIfNeeded: raw.device_class),
            revision: raw.revision >= 0 ? UInt8(truncatingIfNeeded: raw.revision) : nil,
            subsystemVendorID: raw.subsys_vendor_id >= 0 ? UInt16(truncatingIfNeeded: raw.subsys_vendor_id) : nil,
            subsystemDeviceID: raw.subsys_device_id >= 0 ? UInt16(truncatingIfNeeded: raw.subsys_device_id) : nil,
            driver: driverName.isEmpty ? nil : driverName,
            vendorName: nil, deviceName: nil)
    }
}

/// Lowercase hex with a fixed number of digits: `hex(0x10de, 4)` → "10de".
func hex<T: BinaryInteger>(_ value: T, _ digits: Int) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}
