import Foundation
import SpecFitCore

/// PCI vendor ids (PCI-SIG; pci.ids lines "10de NVIDIA Corporation", "1002 Advanced Micro Devices,
/// Inc. [AMD/ATI]", "8086 Intel Corporation").
enum PCIVendor {
    static let nvidia: UInt16 = 0x10de
    static let amd: UInt16 = 0x1002
    static let intel: UInt16 = 0x8086
}

/// GPUs on the PCI bus of the machine under `root`, with memory from NVML (NVIDIA), amdgpu sysfs (AMD)
/// and xe/i915 sysfs (Intel).
///
/// - `nvml`: the NVML source to ask about NVIDIA devices; nil means no NVML answers are available
///   (`nvmlUnavailable` then says why, once, if an NVIDIA GPU is present).
func probeGPUs(root: SystemRoot, pciIDsPath: String?, nvml: (any NVMLSource)?, nvmlUnavailable: String?,
               unknowns: inout [String], facts: inout [Fact]) -> [GPUDevice] {
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
    for (device, gpu) in zip(displays, gpus) {
        recordIdentity(gpu, device: device, root: root, pciIDsPath: scan.pciIDsPath, facts: &facts)
    }

    fillNVIDIA(&gpus, devices: displays, nvml: nvml, nvmlUnavailable: nvmlUnavailable, unknowns: &unknowns, facts: &facts)
    fillAMD(&gpus, devices: displays, root: root, unknowns: &unknowns, facts: &facts)
    fillIntel(&gpus, devices: displays, root: root, unknowns: &unknowns, facts: &facts)

    for index in gpus.indices where gpus[index].vramTotalBytes == nil && !gpus[index].isIntegrated
        && ![hex(PCIVendor.nvidia, 4), hex(PCIVendor.amd, 4), hex(PCIVendor.intel, 4)].contains(gpus[index].vendorID) {
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

/// Facts every GPU has: its PCI identity, name and driver, with the files they came from.
private func recordIdentity(_ gpu: GPUDevice, device: PCIDevice, root: SystemRoot, pciIDsPath: String?, facts: inout [Fact]) {
    let directory = "sys/bus/pci/devices/\(gpu.pciAddress)"
    var ids = "\(gpu.vendorID):\(gpu.deviceID)"
    if let rev = gpu.revision { ids += " rev \(rev)" }
    if let sv = gpu.subsystemVendorID, let sd = gpu.subsystemDeviceID { ids += ", subsystem \(sv):\(sd)" }
    ids += String(format: ", class %04x", device.classCode)
    facts.append(Fact(name: "gpu \(gpu.pciAddress) pci", value: ids,
                      origin: "libpci (sysfs method): \(root.describe("\(directory)/{vendor,device,revision,subsystem_vendor,subsystem_device,class}"))"))
    facts.append(Fact(name: "gpu \(gpu.pciAddress) name", value: gpu.name,
                      origin: gpu.nameSource == "pci.ids" ? "pci.ids \(pciIDsPath ?? "(libpci's built-in path)")" : "not in pci.ids \(pciIDsPath ?? "(libpci's built-in path)")"))
    facts.append(Fact(name: "gpu \(gpu.pciAddress) driver", value: gpu.driver ?? "none bound", origin: "the \(root.describe("\(directory)/driver")) symlink"))
    if gpu.isIntegrated {
        facts.append(Fact(name: "gpu \(gpu.pciAddress) integrated", value: "yes",
                          origin: "Intel device at 00:02.0, the integrated graphics slot of Intel chipsets"))
    }
}

private func fillNVIDIA(_ gpus: inout [GPUDevice], devices: [PCIDevice], nvml: (any NVMLSource)?,
                        nvmlUnavailable: String?, unknowns: inout [String], facts: inout [Fact]) {
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
    let source = nvml.sourceDescription
    for address in nvidia {
        guard let index = gpus.firstIndex(where: { $0.pciAddress == address }) else { continue }
        guard let report = reports.first(where: { $0.pciAddress == address }) else {
            // NVML answers for the GPUs this process may use: a container given other GPUs (or a GPU
            // passed to a VM, or one whose driver failed) is on the bus but not usable here.
            gpus[index].visibleToRuntime = false
            unknowns.append("\(source) does not know the GPU at \(address) (driver \(gpus[index].driver ?? "none")): this process cannot use it (a container given other GPUs?), so it is not counted")
            facts.append(Fact(name: "gpu \(address) visibleToRuntime", value: "no",
                              origin: "\(source) nvmlDeviceGetHandleByPciBusId_v2 found no device at this address"))
            continue
        }
        gpus[index].visibleToRuntime = true
        facts.append(Fact(name: "gpu \(address) visibleToRuntime", value: "yes", origin: "\(source) nvmlDeviceGetHandleByPciBusId_v2"))
        if let name = report.name {
            gpus[index].name = name
            gpus[index].nameSource = "NVML"
            facts.append(Fact(name: "gpu \(address) name", value: name, origin: "\(source) nvmlDeviceGetName"))
        }
        var problems = report.problems
        if let total = report.memoryTotalBytes {
            gpus[index].vramTotalBytes = total
            gpus[index].vramFreeBytes = report.memoryFreeBytes
            gpus[index].memorySource = "\(source) nvmlDeviceGetMemoryInfo"
        }
        if report.migEnabled == true {
            facts.append(Fact(name: "gpu \(address) migMode", value: "enabled", origin: "\(source) nvmlDeviceGetMigMode"))
            gpus[index].migDevices = report.migDevices
            for mig in report.migDevices {
                facts.append(Fact(name: "gpu \(address) mig \(mig.index)",
                                  value: "\(mig.name ?? "unnamed")\(mig.memoryTotalBytes.map { ", " + describeBytes($0) } ?? "")\(mig.memoryFreeBytes.map { ", free " + describeBytes($0) } ?? "")",
                                  origin: "\(source) nvmlDeviceGetMigDeviceHandleByIndex(\(mig.index)) + nvmlDeviceGetName/nvmlDeviceGetMemoryInfo"))
            }
            if let first = report.migDevices.first(where: { $0.memoryTotalBytes != nil }), let total = first.memoryTotalBytes {
                // CUDA runs on one MIG device (NVIDIA MIG User Guide, "CUDA Device Enumeration"): its memory is
                // what a model can use, whatever the parent's figure — which a container is often refused.
                let refused = problems.filter { $0.hasPrefix("nvmlDeviceGetMemoryInfo") }
                for problem in refused {
                    facts.append(Fact(name: "gpu \(address) parent memory", value: "refused (\(problem))",
                                      origin: "\(source) nvmlDeviceGetMemoryInfo on the parent GPU; the MIG device's memory is used"))
                }
                problems.removeAll { $0.hasPrefix("nvmlDeviceGetMemoryInfo") }
                gpus[index].vramTotalBytes = total
                gpus[index].vramFreeBytes = first.memoryFreeBytes
                gpus[index].memorySource = "\(source) nvmlDeviceGetMemoryInfo on MIG device \(first.index)\(first.profile.map { " (\($0))" } ?? "")"
            } else {
                unknowns.append("GPU \(address): MIG is enabled but \(source) gave this process no MIG device with memory: its usable memory is unknown")
                gpus[index].vramTotalBytes = nil
                gpus[index].vramFreeBytes = nil
                gpus[index].memorySource = nil
            }
        }
        if let total = gpus[index].vramTotalBytes {
            facts.append(Fact(name: "gpu \(address) vramTotalBytes", value: describeBytes(total), origin: gpus[index].memorySource ?? source))
            if let free = gpus[index].vramFreeBytes {
                facts.append(Fact(name: "gpu \(address) vramFreeBytes", value: describeBytes(free), origin: gpus[index].memorySource ?? source))
            }
        }
        if let width = report.memoryBusWidthBits {
            facts.append(Fact(name: "gpu \(address) memoryBusWidthBits", value: String(width), origin: "\(source) nvmlDeviceGetMemoryBusWidth"))
        }
        if let clock = report.maxMemoryClockMHz {
            facts.append(Fact(name: "gpu \(address) maxMemoryClockMHz", value: String(clock), origin: "\(source) nvmlDeviceGetMaxClockInfo(NVML_CLOCK_MEM)"))
        }
        for problem in problems {
            unknowns.append("GPU \(address): \(problem)")
        }
    }
}

private func fillAMD(_ gpus: inout [GPUDevice], devices: [PCIDevice], root: SystemRoot, unknowns: inout [String], facts: inout [Fact]) {
    for device in devices where device.vendorID == PCIVendor.amd {
        guard let index = gpus.firstIndex(where: { $0.pciAddress == device.address }) else { continue }
        let directory = "sys/bus/pci/devices/\(device.address)"
        let apu = AMDGPUMemory.apuDeviceIDs[device.deviceID]
        if let apu {
            gpus[index].isIntegrated = true
            facts.append(Fact(name: "gpu \(device.address) integrated", value: "yes (\(apu) APU)",
                              origin: "PCI device id 1002:\(hex(device.deviceID, 4)) is the \(apu) APU's GPU (AMDGPUMemory.apuDeviceIDs)"))
        }
        guard let memory = AMDGPUMemory.read(root: root, pciAddress: device.address) else {
            unknowns.append("no mem_info_vram_total in \(root.describe(directory)) (driver \(device.driver ?? "none"), amdgpu publishes it): VRAM of \(gpus[index].name) unknown")
            continue
        }
        gpus[index].vramTotalBytes = memory.vramTotalBytes
        gpus[index].vramFreeBytes = memory.vramFreeBytes
        gpus[index].gttTotalBytes = memory.gttTotalBytes
        gpus[index].gttFreeBytes = memory.gttFreeBytes
        gpus[index].memorySource = "sysfs mem_info_vram_total/mem_info_vram_used"
        for (name, value, file) in [("vramTotalBytes", memory.vramTotalBytes, "mem_info_vram_total"), ("vramUsedBytes", memory.vramUsedBytes, "mem_info_vram_used"),
                                    ("gttTotalBytes", memory.gttTotalBytes, "mem_info_gtt_total"), ("gttUsedBytes", memory.gttUsedBytes, "mem_info_gtt_used")] {
            guard let value else { continue }
            facts.append(Fact(name: "gpu \(device.address) \(name)", value: describeBytes(value), origin: root.describe("\(directory)/\(file)")))
        }
        if apu == nil && memory.looksIntegrated {
            gpus[index].isIntegrated = true
            facts.append(Fact(name: "gpu \(device.address) integrated", value: "yes",
                              origin: "VRAM carve-out below 1 GiB with a larger GTT: an APU's firmware frame buffer (AMDGPUMemory.looksIntegrated)"))
        }
    }
}

private func fillIntel(_ gpus: inout [GPUDevice], devices: [PCIDevice], root: SystemRoot, unknowns: inout [String], facts: inout [Fact]) {
    for device in devices where device.vendorID == PCIVendor.intel {
        guard let index = gpus.firstIndex(where: { $0.pciAddress == device.address }), !gpus[index].isIntegrated else { continue }
        guard let memory = IntelGPUMemory.read(root: root, pciAddress: device.address) else {
            let directory = root.describe("sys/bus/pci/devices/\(device.address)")
            let why: String = switch device.driver {
            case "xe": "the xe driver of this kernel publishes no tile*/physical_vram_size_bytes in \(directory)"
            case "i915": "the i915 driver of this kernel publishes no drm/card*/lmem_total_bytes in \(directory) (only Intel's out-of-tree i915 does; the xe driver publishes tile0/physical_vram_size_bytes on kernels that have it)"
            default: "no driver that publishes it is bound (driver \(device.driver ?? "none"))"
            }
            unknowns.append("GPU \(device.address) (\(gpus[index].name)): VRAM unknown — \(why); the catalog's figure for its PCI id is used where the card is known")
            facts.append(Fact(name: "gpu \(device.address) vramTotalBytes", value: "unknown", origin: why))
            continue
        }
        gpus[index].vramTotalBytes = memory.totalBytes
        gpus[index].vramFreeBytes = memory.availableBytes
        gpus[index].memorySource = memory.source
        facts.append(Fact(name: "gpu \(device.address) vramTotalBytes", value: describeBytes(memory.totalBytes), origin: memory.source))
        if let available = memory.availableBytes {
            facts.append(Fact(name: "gpu \(device.address) vramFreeBytes", value: describeBytes(available), origin: memory.source.replacingOccurrences(of: "lmem_total_bytes", with: "lmem_avail_bytes")))
        }
    }
}
