import Foundation
import GGUF
import SpecFitCore

/// Why the decoder cannot run a file, each with what to do.
public enum DecoderError: LocalizedError, Equatable {
    case unsupportedArchitecture(String)
    case unsupportedTensorType(tensor: String, type: String)
    case missingTensor(String)
    case mapFailed(path: String, reason: String)
    case badShape(tensor: String, expected: [Int64], found: [Int64])
    case contextFull(position: Int, contextLength: Int)
    /// The run was stopped (Ctrl-C) through ``Transformer/cancellation``.
    case interrupted

    public var errorDescription: String? {
        switch self {
        case let .unsupportedArchitecture(a):
            "the micro-decoder runs gemma3, llama, qwen2 and qwen3 models; this file is '\(a)' — use llama.cpp for it"
        case let .unsupportedTensorType(t, type):
            "tensor \(t) is \(type), which the micro-decoder has no kernel for (F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K–Q6_K)"
        case let .missingTensor(t): "the file has no tensor \(t), which this architecture needs: the file is incomplete or not a standard conversion"
        case let .mapFailed(path, reason): "cannot memory-map \(path): \(reason)"
        case let .badShape(t, e, f): "tensor \(t) has shape \(f), expected \(e): the metadata and the tensors disagree"
        case let .contextFull(p, n): "position \(p) is past the context of \(n) tokens; give a larger --ctx"
        case .interrupted: "interrupted"
        }
    }
    public var exitCode: Int32 { self == .interrupted ? 130 : 2 }
}

/// The file's tensor data, memory-mapped read-only (never copied): the OS pages weights in as kernels read them.
final class MappedWeights: @unchecked Sendable {
    private var maps: [(base: UnsafeMutableRawPointer, length: Int)] = []
    let model: GGUFModel

    init(_ model: GGUFModel) throws {
        self.model = model
        for shard in model.shardPaths {
            let fd = open(shard, O_RDONLY)
            guard fd >= 0 else { throw DecoderError.mapFailed(path: shard, reason: String(cString: strerror(errno))) }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw DecoderError.mapFailed(path: shard, reason: String(cString: strerror(errno))) }
            let length = Int(st.st_size)
            guard let p = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
                throw DecoderError.mapFailed(path: shard, reason: String(cString: strerror(errno)))
            }
            maps.append((p, length))
        }
    }

    deinit { for m in maps { munmap(m.base, m.length) } }

    /// A weight matrix: `rows` rows of `cols` elements of `type` (ggml layout: ne0 = cols).
    struct Matrix {
        let name: String
        let data: UnsafeRawPointer
        let type: GGMLType
        let cols: Int
        let rows: Int
        var rowBytes: Int { Int(type.rowBytes(Int64(cols))) }
    }

    func info(_ name: String) throws -> GGUFTensorInfo {
        guard let t = model.tensors.first(where: { $0.name == name }) else { throw DecoderError.missingTensor(name) }
        return t
    }

    func has(_ name: String) -> Bool { model.tensors.contains { $0.name == name } }

    func matrix(_ name: String) throws -> Matrix {
        let t = try info(name)
        guard let type = t.type, rowKernel(for: type) != nil else {
            throw DecoderError.unsupportedTensorType(tensor: name, type: t.type?.name ?? "ggml type \(t.typeID)")
        }
        let cols = Int(t.shape[0])
        let rows = Int(t.shape.dropFirst().reduce(1, *))
        return Matrix(name: name, data: UnsafeRawPointer(maps[t.shard].base + Int(t.fileOffset)), type: type, cols: cols, rows: rows)
    }

    /// A 1-D tensor (norm weights, biases) converted to Float.
    func vector(_ name: String) throws -> [Float] {
        let m = try matrix(name)
        var out = [Float](repeating: 0, count: m.cols * m.rows)
        try out.withUnsafeMutableBufferPointer { buf in
            try dequantizeRow(m.type, m.data, buf.baseAddress!, count: m.cols * m.rows)
        }
        return out
    }
}
