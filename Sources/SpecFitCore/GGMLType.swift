import Foundation

/// A ggml tensor element type: the one table every size computation in SpecFit reads.
///
/// Ids are the `enum ggml_type` values of llama.cpp `ggml/include/ggml.h:389-434` (commit 3f545becc,
/// after tag b10573); block sizes and bytes per block are `{blck_size, sizeof(block_x)}` of the type
/// traits table in `ggml/src/ggml.c:631` with the block structs of `ggml/src/ggml-common.h:89-460`
/// (memory-model.md §1.2). Removed ids (4, 5, 31–33, 36–38) are not cases.
public enum GGMLType: Int, CaseIterable, Sendable, Hashable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
    case iq2_XXS = 16, iq2_XS = 17, iq3_XXS = 18, iq1_S = 19, iq4_NL = 20, iq3_S = 21, iq2_S = 22
    case iq4_XS = 23, i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_M = 29, bf16 = 30
    case tq1_0 = 34, tq2_0 = 35, mxfp4 = 39, nvfp4 = 40, q1_0 = 41, q2_0 = 42

    /// Name as ggml prints it (`ggml_type_name`): "Q4_K", "F16", "IQ4_XS" …
    public var name: String {
        switch self {
        case .f32: "F32"; case .f16: "F16"; case .bf16: "BF16"; case .f64: "F64"
        case .q4_0: "Q4_0"; case .q4_1: "Q4_1"; case .q5_0: "Q5_0"; case .q5_1: "Q5_1"
        case .q8_0: "Q8_0"; case .q8_1: "Q8_1"; case .q2_K: "Q2_K"; case .q3_K: "Q3_K"
        case .q4_K: "Q4_K"; case .q5_K: "Q5_K"; case .q6_K: "Q6_K"; case .q8_K: "Q8_K"
        case .iq2_XXS: "IQ2_XXS"; case .iq2_XS: "IQ2_XS"; case .iq3_XXS: "IQ3_XXS"; case .iq1_S: "IQ1_S"
        case .iq4_NL: "IQ4_NL"; case .iq3_S: "IQ3_S"; case .iq2_S: "IQ2_S"; case .iq4_XS: "IQ4_XS"
        case .i8: "I8"; case .i16: "I16"; case .i32: "I32"; case .i64: "I64"; case .iq1_M: "IQ1_M"
        case .tq1_0: "TQ1_0"; case .tq2_0: "TQ2_0"; case .mxfp4: "MXFP4"; case .nvfp4: "NVFP4"
        case .q1_0: "Q1_0"; case .q2_0: "Q2_0"
        }
    }

    /// Elements per block (`blck_size`).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64: 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_NL, .mxfp4: 32
        case .nvfp4, .q2_0: 64
        case .q1_0: 128
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K, .iq2_XXS, .iq2_XS, .iq3_XXS, .iq1_S, .iq3_S,
             .iq2_S, .iq4_XS, .iq1_M, .tq1_0, .tq2_0: 256
        }
    }

    /// Bytes per block (`sizeof(block_x)`, ggml-common.h).
    public var bytesPerBlock: Int {
        switch self {
        case .f32, .i32: 4
        case .f16, .bf16, .i16: 2
        case .f64, .i64: 8
        case .i8: 1
        case .q4_0: 18; case .q4_1: 20; case .q5_0: 22; case .q5_1: 24; case .q8_0: 34; case .q8_1: 36
        case .q2_K: 84; case .q3_K: 110; case .q4_K: 144; case .q5_K: 176; case .q6_K: 210; case .q8_K: 292
        case .iq2_XXS: 66; case .iq2_XS: 74; case .iq2_S: 82; case .iq3_XXS: 98; case .iq3_S: 110
        case .iq1_S: 50; case .iq1_M: 56; case .iq4_NL: 18; case .iq4_XS: 136
        case .tq1_0: 54; case .tq2_0: 66; case .mxfp4: 17; case .nvfp4: 36; case .q1_0: 18; case .q2_0: 18
        }
    }

    /// Bits per weight = 8 · bytesPerBlock / blockSize.
    public var bitsPerWeight: Double { 8.0 * Double(bytesPerBlock) / Double(blockSize) }

    /// Bytes of one row of `ne0` elements: `type_size · ne0 / blck_size` (ggml.c `ggml_row_size`).
    /// `ne0` must be a multiple of `blockSize`; callers that cannot guarantee it use ``isRowCompatible(_:)``.
    public func rowBytes(_ ne0: Int64) -> Int64 {
        Int64(bytesPerBlock) * ne0 / Int64(blockSize)
    }

    /// Bytes of a tensor with shape `ne` (innermost first): `row_bytes(ne0) · ne1 · ne2 · ne3`
    /// (ggml.c `ggml_nbytes`, memory-model.md §1.1).
    public func tensorBytes(_ ne: [Int64]) -> Int64 {
        guard let ne0 = ne.first else { return 0 }
        return ne.dropFirst().reduce(rowBytes(ne0), *)
    }

    /// Whether a row of `ne0` elements splits into whole blocks of this type.
    public func isRowCompatible(_ ne0: Int64) -> Bool { ne0 % Int64(blockSize) == 0 }

    /// Looks a type up by its ggml name, case-insensitively ("q4_k", "F16").
    public init?(name: String) {
        guard let t = GGMLType.allCases.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame })
        else { return nil }
        self = t
    }

    /// KV-cache element types llama.cpp accepts for `-ctk/-ctv` (`common/arg.cpp:304-314`).
    public static let kvCacheTypes: [GGMLType] = [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .iq4_NL, .q5_0, .q5_1]
}

/// JSON carries the ggml name ("Q4_K", "F16"); the numeric id is accepted when reading.
extension GGMLType: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(String.self), let t = GGMLType(name: n) { self = t; return }
        if let i = try? c.decode(Int.self), let t = GGMLType(rawValue: i) { self = t; return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a ggml type name or id")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }
}
