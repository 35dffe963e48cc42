// libFuzzer harness for the GGUF header reader: every input is parsed as a GGUF file held in memory; when it
// parses, every lazy array is read back and the model description derived, so the whole read path is exercised.
// A crash, a trap (overflow, out-of-bounds) or an ASan report is a bug: damaged files must give a GGUFError.
// Build and run with Fuzz/build.sh.
import GGUF

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGGUF(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let model: GGUFModel
    do {
        model = try GGUFModel.parse(bytes: bytes, name: "fuzz.gguf")
    } catch {
        _ = error.errorDescription
        return 0
    }
    for key in model.metadataKeys {
        guard let value = model.value(key) else { continue }
        _ = value.typeDescription
        _ = model.intValue(key)
        if case let .array(a) = value {
            _ = try? model.array(key)
            if a.elementType == .string { _ = try? model.stringArray(key) }
        }
    }
    _ = model.tensorBytes
    _ = model.paddedTensorBytes
    _ = model.bytesByType
    for t in model.tensors { _ = (t.role, t.layer, t.tensorInfo, t.effectiveDimensions) }
    for w in model.warnings { _ = w.description }
    do {
        let d = try model.modelDescription()
        _ = d.spec.kvWidths
        _ = try? model.tokenizerFacts(includeTexts: true)
    } catch {
        _ = error.errorDescription
    }
    return 0
}
