import Foundation

/// 2^30 bytes.
public let bytesPerGiB: Double = 1_073_741_824
/// 2^20 bytes.
public let bytesPerMiB: Double = 1_048_576

/// Bytes → GiB (2^30) as a Double, for printing only.
@inline(__always) public func gib(_ bytes: Int64) -> Double { Double(bytes) / bytesPerGiB }
/// Bytes → MiB (2^20) as a Double, for printing only.
@inline(__always) public func mib(_ bytes: Int64) -> Double { Double(bytes) / bytesPerMiB }
/// GiB → bytes.
@inline(__always) public func bytes(gib: Double) -> Int64 { Int64((gib * bytesPerGiB).rounded()) }

/// Rounds `n` up to a multiple of `multiple` (`GGML_PAD`).
@inline(__always) public func pad(_ n: Int, to multiple: Int) -> Int { (n + multiple - 1) / multiple * multiple }

/// Formats bytes as GiB with two decimals ("4.58 GiB").
public func formatGiB(_ bytes: Int64) -> String { String(format: "%.2f GiB", gib(bytes)) }
