import Foundation

/// A GPU card as the catalog describes it (`catalog/gpus.csv`, vendor datasheets and pci.ids).
public struct GPUSpec: Codable, Sendable, Equatable {
    public enum Variant: String, Codable, Sendable, CaseIterable {
        case desktop, laptop, workstation, datacenter, igpu, unified
    }
    /// The llama.cpp backend a card is normally used with.
    public enum Backend: String, Codable, Sendable, CaseIterable {
        case cuda, rocm, sycl, metal, vulkan, cpu
    }

    public var id: String
    public var vendor: String
    public var name: String
    public var aliases: [String]
    /// PCI ids as lowercase 4-digit hex, nil for Apple SoCs.
    public var pciVendorID: String?
    public var pciDeviceID: String?
    public var pciSubsystemVendorID: String?
    public var pciSubsystemDeviceID: String?
    /// PCI revision ids (lowercase hex) that identify this product when several share a device id.
    public var pciRevisions: [String]
    public var variant: Variant
    /// Memory size in MiB (2^20 bytes); for unified-memory rows the total memory of the configuration;
    /// 0 for integrated GPUs whose memory depends on the host.
    public var vramMiB: Int
    public var memoryType: String
    public var busWidthBits: Int?
    public var dataRateGbps: Double?
    /// Peak memory bandwidth in GB/s (10^9 bytes per second) as the vendor states it; 0 when it is the host's.
    public var bandwidthGBps: Double
    /// Dense FP16 / BF16 matrix throughput in TFLOPS (10^12), nil when not listed.
    public var fp16TFLOPS: Double?
    public var bf16TFLOPS: Double?
    public var boardPowerW: Double?
    public var unifiedMemory: Bool
    /// For unified-memory rows: what the GPU may use by default, in MiB (Metal's
    /// `recommendedMaxWorkingSetSize`, an APU's GTT/carve-out), nil for discrete cards.
    public var gpuWorkingSetMiB: Int?
    public var backend: Backend
    /// How rows sharing a PCI device id are told apart ("vram_mib", "subsystem id"), nil when unique.
    public var tieBreak: String?
    public var source: String

    public init(id: String, vendor: String, name: String, aliases: [String] = [], pciVendorID: String? = nil,
                pciDeviceID: String? = nil, pciSubsystemVendorID: String? = nil, pciSubsystemDeviceID: String? = nil,
                pciRevisions: [String] = [], variant: Variant, vramMiB: Int, memoryType: String = "", busWidthBits: Int? = nil,
                dataRateGbps: Double? = nil, bandwidthGBps: Double, fp16TFLOPS: Double? = nil,
                bf16TFLOPS: Double? = nil, boardPowerW: Double? = nil, unifiedMemory: Bool = false,
                gpuWorkingSetMiB: Int? = nil, backend: Backend, tieBreak: String? = nil, source: String) {
        self.id = id; self.vendor = vendor; self.name = name; self.aliases = aliases
        self.pciVendorID = pciVendorID; self.pciDeviceID = pciDeviceID
        self.pciSubsystemVendorID = pciSubsystemVendorID; self.pciSubsystemDeviceID = pciSubsystemDeviceID
        self.pciRevisions = pciRevisions
        self.variant = variant; self.vramMiB = vramMiB; self.memoryType = memoryType
        self.busWidthBits = busWidthBits; self.dataRateGbps = dataRateGbps; self.bandwidthGBps = bandwidthGBps
        self.fp16TFLOPS = fp16TFLOPS; self.bf16TFLOPS = bf16TFLOPS; self.boardPowerW = boardPowerW
        self.unifiedMemory = unifiedMemory; self.gpuWorkingSetMiB = gpuWorkingSetMiB; self.backend = backend
        self.tieBreak = tieBreak; self.source = source
    }

    public var vramBytes: Int64 { Int64(vramMiB) << 20 }

    /// Memory the GPU may allocate: the working-set limit on unified-memory rows, the VRAM otherwise.
    public var gpuUsableBytes: Int64 { Int64(gpuWorkingSetMiB ?? vramMiB) << 20 }
}
