import Foundation
import SpecFitCore

/// PCI vendor ids (PCI-SIG; pci.ids lines "10de NVIDIA Corporation", "1002 Advanced Micro Devices,
/// Inc. [AMD/ATI]", "8086 Intel Corporation").
enum PCIVendor {
    static let nvidia: UInt16 = 0x10de
    static let amd: UInt16 = 0x1002
    static let intel: UInt16 = 0x8086
}

/// GPUs on the PCI bus of the machine under `root`, with memory from NVML (NVIDIA) and amdgpu sysfs.
///
/// - `nvml`: the NVML source to ask about NVIDIA devices; nil means no NVML answers are available
///   (`nvmlUnavailable` then says why, once, if an NVIDIA GPU is present).
func probeGPUs(root: SystemRoot, pciIDsPath: String?, nvml: (any NVMLSource)?, nvmlUnavailable: String?,
               unknowns: inout [String]) -> [GPUDevice] {
    let scan: PCIBusScan
    do {
        scan = try PCIBus.scan(sysfsBusPCI: root.resolve("sys/bus/pci"), pciIDsPath: pciIDsPath)
    } catch {
        switch error {
        case .noSysfs:
            unknowns.append("no \(root.describe("sys/bus/pci")): GPUs unknown (running in a chroot or container without sysfs?)")
        case .libpci(let message, _):
            unknowns.append("libpci could not read \(root.describe("sys/bus/pci")) (\(message)): GPUs unknown")
        }
        return []
    }
    for warning in scan.warnings {
        unknowns.append("libpci: \(warning)")
    }

    let displays = scan.devices.filter { $0.isDisplayController && !framebufferOnlyVendors.contains($0.vendorID) }
    var gpus = displays.map { device -> GPUDevice in
        let named = device.deviceName.map { ($0, "pci.ids") }
            ?? ("PCI device \(hex(device.vendorID, 4)):\(hex(device.deviceID, 4))", "PCI id (not in pci.ids)")
        return GPUDevice(
            pciAddress: device.address, vendorID: hex(device.vendorID, 4), deviceID: hex(device.deviceID, 4),
            subsystemVendorID: device.subsystemVendorID.map { hex($0, 4) },
            subsystemDeviceID: device.subsystemDeviceID.map { hex($0, 4) },
            revision: device.revision.map { hex($0, 2) },
            name: named.0, nameSource: named.1, driver: device.driver,
            isIntegrated: isIntelIntegrated(device))
    }

    fillNVIDIA(&gpus, devices: displays, nvml: nvml, nvmlUnavailable: nvmlUnavailable, unknowns: &unknowns)
    fillAMD(&gpus, devices: displays, root: root, unknowns: &unknowns)

    for index in gpus.indices where gpus[index].vramTotalBytes == nil && !gpus[index].isIntegrated
        && gpus[index].vendorID != hex(PCIVendor.nvidia, 4) && gpus[index].vendorID != hex(PCIVendor.amd, 4) {
        let gpu = gpus[index]
        unknowns.append("GPU \(gpu.pciAddress) (\(gpu.name), driver \(gpu.driver ?? "none")): no source for its memory; VRAM unknown")
    }
    return gpus
}

/// Vendors whose display controllers are framebuffers with no compute: server BMC graphics
/// (ASPEED 1a03, e.g. AST2500 on nearly every GPU server; Matrox 102b, the G200eW/eH BMC VGA) and the
/// emulated adapters of hypervisors (QEMU/Bochs 1234, virtio-gpu 1af4, Cirrus 1013, VMware SVGA 15ad,
/// Hyper-V 1414, VirtualBox 80ee). Vendor ids from pci.ids. They are not GPUs a model could run on,
/// so they are left out of `Machine.gpus`.
let framebufferOnlyVendors: Set<UInt16> = [0x1a03, 0x102b, 0x1234, 0x1af4, 0x1013, 0x15ad, 0x1414, 0x80ee]

/// Intel's integrated graphics always sit at bus 0, device 2, function 0 (Intel's chipset
/// datasheets reserve D2:F0 for the "Integrated Graphics Device"); Intel's discrete Arc cards sit
/// behind a PCIe bridge on another bus.
private func isIntelIntegrated(_ device: PCIDevice) -> Bool {
    device.vendorID == PCIVendor.intel && device.bus == 0 && device.device == 2 && device.function == 0
}

private func fillNVIDIA(_ gpus: inout [GPUDevice], devices: [PCIDevice], nvml: (any NVMLSource)?,
                        nvmlUnavailable: String?, unknowns: inout [String]) {
    let nvidia = devices.filter { $0.vendorID == PCIVendor.nvidia }.map(\.address)
    guard !nvidia.isEmpty else { return }
    guard let nvml else {
        unknowns.append(nvmlUnavailable ?? "NVML answers not available: NVIDIA memory unknown")
        return
    }
    let reports: [NVMLDeviceReport]
    do {
        reports = try nvml.query(pciAddresses: nvidia)
    } catch {
        unknowns.append(error.localizedDescription)
        return
    }
    for address in nvidia {
        guard let index = gpus.firstIndex(where: { $0.pciAddress == address }) else { continue }
        guard let report = reports.first(where: { $0.pciAddress == address }) else {
            unknowns.append("\(nvml.sourceDescription) does not know the GPU at \(address) (driver \(gpus[index].driver ?? "none")): its memory is unknown")
            continue
        }
        if let name = report.name {
            gpus[index].name = name
            gpus[index].nameSource = "NVML"
        }
        if let total = report.memoryTotalBytes {
            gpus[index].vramTotalBytes = total
            gpus[index].vramFreeBytes = report.memoryFreeBytes
            gpus[index].memorySource = "\(nvml.sourceDescription) nvmlDeviceGetMemoryInfo"
        }
        for problem in report.problems {
            unknowns.append("GPU \(address): \(problem)")
        }
    }
}

private func fillAMD(_ gpus: inout [GPUDevice], devices: [PCIDevice], root: SystemRoot, unknowns: inout [String]) {
    for device in devices where device.vendorID == PCIVendor.amd {
        guard let index = gpus.firstIndex(where: { $0.pciAddress == device.address }) else { continue }
        guard let memory = AMDGPUMemory.read(root: root, pciAddress: device.address) else {
            unknowns.append("no mem_info_vram_total in \(root.describe("sys/bus/pci/devices/\(device.address)")) (driver \(device.driver ?? "none"), amdgpu publishes it): VRAM of \(gpus[index].name) unknown")
            continue
        }
        gpus[index].vramTotalBytes = memory.vramTotalBytes
        gpus[index].vramFreeBytes = memory.vramFreeBytes
        gpus[index].gttTotalBytes = memory.gttTotalBytes
        gpus[index].gttFreeBytes = memory.gttFreeBytes
        gpus[index].memorySource = "sysfs mem_info_vram_total/mem_info_vram_used"
        gpus[index].isIntegrated = memory.looksIntegrated
    }
}
