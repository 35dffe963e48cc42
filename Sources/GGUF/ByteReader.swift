import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open GGUF source: a file descriptor read with `pread`, or bytes in memory.
final class SourceHandle {
    let source: GGUFSource
    let size: Int64
    private let fd: Int32

    init(_ source: GGUFSource) throws(GGUFError) {
        self.source = source
        switch source {
        case let .memory(_, bytes):
            fd = -1
            size = Int64(bytes.count)
        case let .file(path):
            let d = open(path, O_RDONLY)
            guard d >= 0 else {
                throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
            }
            var st = stat()
            guard fstat(d, &st) == 0 else {
                let reason = String(cString: strerror(errno))
                close(d)
                throw .cannotOpen(path: path, reason: reason)
            }
            guard (st.st_mode & S_IFMT) == S_IFREG else {
                close(d)
                throw .cannotOpen(path: path, reason: (st.st_mode & S_IFMT) == S_IFDIR ? "it is a directory" : "it is not a regular file")
            }
            fd = d
            size = Int64(st.st_size)
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Reads up to `count` bytes at `offset` into `dst`; returns how many were read (short only at end of file).
    func read(into dst: UnsafeMutableRawPointer, count: Int, at offset: Int64) throws(GGUFError) -> Int {
        switch source {
        case let .memory(_, bytes):
            guard offset < Int64(bytes.count) else { return 0 }
            let n = min(count, bytes.count - Int(offset))
            bytes.withUnsafeBytes { src in dst.copyMemory(from: src.baseAddress! + Int(offset), byteCount: n) }
            return n
        case let .file(path):
            var done = 0
            while done < count {
                let got = pread(fd, dst + done, count - done, off_t(offset) + off_t(done))
                if got < 0 {
                    if errno == EINTR { continue }
                    throw .readFailed(path: path, offset: offset + Int64(done), reason: String(cString: strerror(errno)))
                }
                if got == 0 { break }
                done += got
            }
            return done
        }
    }
}

/// A forward reader over a ``SourceHandle`` with a 64 KiB buffer, in the file's byte order, that counts the
/// bytes it fetches (``bytesRead``) so tests can prove the reader touches only the header.
///
/// Every read first checks that the bytes are inside the file, so a truncated file gives ``GGUFError/truncated``
/// naming the offset and what was being read — never a crash or a short value.
struct ByteReader {
    static let maxBufferCapacity = 64 * 1024

    let handle: SourceHandle
    var bigEndian = false
    private(set) var position: Int64 = 0
    private(set) var bytesRead: Int64 = 0
    private var buffer: [UInt8]
    /// 64 KiB, or the whole source when smaller (every read of n bytes inside the file then fits).
    private let bufferCapacity: Int
    private var bufferStart: Int64 = 0
    private var bufferCount = 0

    init(_ handle: SourceHandle, at offset: Int64 = 0) {
        self.handle = handle
        self.position = offset
        bufferCapacity = Int(max(1, min(Int64(Self.maxBufferCapacity), handle.size)))
        buffer = [UInt8](repeating: 0, count: bufferCapacity)
    }

    var size: Int64 { handle.size }
    var remaining: Int64 { max(0, handle.size - position) }
    var path: String { handle.source.displayPath }

    /// Makes `n` (≤ buffer capacity) bytes at `position` available in the buffer.
    private mutating func ensure(_ n: Int, _ what: () -> String) throws(GGUFError) {
        if position + Int64(n) > handle.size { throw .truncated(path: path, offset: position, reading: what()) }
        if position >= bufferStart && position + Int64(n) <= bufferStart + Int64(bufferCount) { return }
        let want = Int(min(Int64(bufferCapacity), handle.size - position))
        let (handle, position) = (self.handle, self.position)
        let result = buffer.withUnsafeMutableBytes { b in
            Result { () throws(GGUFError) -> Int in try handle.read(into: b.baseAddress!, count: want, at: position) }
        }
        let got = try result.get()
        bytesRead += Int64(got)
        bufferStart = position
        bufferCount = got
        if got < n { throw .truncated(path: path, offset: position + Int64(got), reading: what()) }
    }

    /// Reads an unsigned integer of `width` bytes in the file's byte order.
    private mutating func unsigned(_ width: Int, _ what: () -> String) throws(GGUFError) -> UInt64 {
        try ensure(width, what)
        let base = Int(position - bufferStart)
        var v: UInt64 = 0
        if bigEndian {
            for i in 0..<width { v = (v << 8) | UInt64(buffer[base + i]) }
        } else {
            for i in (0..<width).reversed() { v = (v << 8) | UInt64(buffer[base + i]) }
        }
        position += Int64(width)
        return v
    }

    mutating func u8(_ what: @autoclosure () -> String) throws(GGUFError) -> UInt8 { UInt8(try unsigned(1, what)) }
    mutating func u16(_ what: @autoclosure () -> String) throws(GGUFError) -> UInt16 { UInt16(try unsigned(2, what)) }
    mutating func u32(_ what: @autoclosure () -> String) throws(GGUFError) -> UInt32 { UInt32(try unsigned(4, what)) }
    mutating func u64(_ what: @autoclosure () -> String) throws(GGUFError) -> UInt64 { try unsigned(8, what) }

    /// Bytes at `position` without byte-order conversion (magic, raw text).
    mutating func rawBytes(_ n: Int, _ what: @autoclosure () -> String) throws(GGUFError) -> [UInt8] {
        guard Int64(n) <= remaining else { throw .truncated(path: path, offset: position, reading: what()) }
        var out = [UInt8](repeating: 0, count: n)
        var filled = 0
        while filled < n {
            let chunk = min(n - filled, bufferCapacity)
            try ensure(chunk, what)
            let base = Int(position - bufferStart)
            for i in 0..<chunk { out[filled + i] = buffer[base + i] }
            filled += chunk
            position += Int64(chunk)
        }
        return out
    }

    /// A UTF-8 string of `length` bytes (invalid sequences become U+FFFD).
    mutating func string(length: Int, _ what: @autoclosure () -> String) throws(GGUFError) -> String {
        if length <= bufferCapacity {
            try ensure(length, what)
            let base = Int(position - bufferStart)
            position += Int64(length)
            return buffer.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[base..<base + length]), as: UTF8.self) }
        }
        return String(decoding: try rawBytes(length, what()), as: UTF8.self)
    }

    /// Moves past `n` bytes without reading them (they must be inside the file).
    mutating func skip(_ n: Int64, _ what: @autoclosure () -> String) throws(GGUFError) {
        guard n >= 0, n <= remaining else { throw .truncated(path: path, offset: position, reading: what()) }
        position += n
    }

    /// Moves to an absolute offset inside the file.
    mutating func seek(to offset: Int64) { position = offset }
}
