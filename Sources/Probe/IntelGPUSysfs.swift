import Foundation

/// Local memory (VRAM) of a discrete Intel GPU as its kernel driver publishes it in sysfs.
///
/// Which files exist depends on the driver and the kernel:
/// - `xe`: `tile<N>/physical_vram_size_bytes` in the PCI device's directory, one per tile (consumer Arc has
///   tile0 only). Written by `xe_tile_sysfs.c` from `tile->mem.vram.actual_physical_size` — the figure the
///   driver logs as "Total VRAM" at probe — and read by Intel's own Level Zero Sysman
///   (intel/compute-runtime `sysman_kmd_interface.cpp`: `device/tile<N>/physical_vram_size_bytes` for xe).
///   Some kernels' xe does not create it (the mainline file in torvalds/linux at 06d07429 has no such
///   attribute), so its absence is normal, not an error.
/// - `i915` from Intel's out-of-tree driver (intel-gpu/intel-gpu-i915-backports `i915_sysfs.c`):
///   `lmem_total_bytes` and `lmem_avail_bytes` on the DRM minor, i.e. `drm/card<N>/` below the PCI device.
///   Mainline i915 publishes no VRAM size in sysfs at all (AlexsJones/llmfit#733 reads the same two files).
/// When none exists the size is unknown — never 0.
struct IntelGPUMemory: Sendable, Equatable {
    var totalBytes: Int64
    var availableBytes: Int64?
    /// The files read, named as on the machine ("/sys/bus/pci/devices/0000:03:00.0/tile0/physical_vram_size_bytes").
    var source: String

    static func read(root: SystemRoot, pciAddress: String) -> IntelGPUMemory? {
        let device = "sys/bus/pci/devices/\(pciAddress)"
        // xe: sum the tiles, stopping at the first tile directory without the file.
        let tiles = root.list(device).compactMap { name in name.hasPrefix("tile") ? Int(name.dropFirst(4)) : nil }.sorted()
        var tileBytes: [(String, Int64)] = []
        for tile in tiles.map({ "tile\($0)" }) {
            guard let bytes = root.readPositiveInt64("\(device)/\(tile)/physical_vram_size_bytes") else { break }
            tileBytes.append((tile, bytes))
        }
        if !tileBytes.isEmpty {
            let files = tileBytes.map { root.describe("\(device)/\($0.0)/physical_vram_size_bytes") }
            return IntelGPUMemory(totalBytes: tileBytes.reduce(0) { $0 + $1.1 }, availableBytes: nil,
                                  source: "sysfs " + files.joined(separator: " + "))
        }
        // i915 (Intel's out-of-tree build): on the DRM minor.
        for card in root.list("\(device)/drm") where card.hasPrefix("card") && Int(card.dropFirst(4)) != nil {
            guard let total = root.readPositiveInt64("\(device)/drm/\(card)/lmem_total_bytes") else { continue }
            return IntelGPUMemory(totalBytes: total, availableBytes: root.readInt64("\(device)/drm/\(card)/lmem_avail_bytes"),
                                  source: "sysfs \(root.describe("\(device)/drm/\(card)/lmem_total_bytes"))")
        }
        return nil
    }
}
