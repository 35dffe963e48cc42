import Foundation
import SpecFitWeb
import Testing

/// docs/openapi.json and the server's route table (``WebRoutes/all``, the only list the server registers
/// routes from) describe the same addresses with the same query parameters and the same choices.
@Suite struct OpenAPITests {
    let doc: [String: Any]
    let paths: [String: Any]

    init() throws {
        let url = LiveServer.repoRoot.appendingPathComponent("docs/openapi.json")
        doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        paths = try #require(doc["paths"] as? [String: Any])
    }

    /// A parameter object, following a `$ref` into components.
    func resolve(_ p: [String: Any]) -> [String: Any] {
        guard let ref = p["$ref"] as? String else { return p }
        var node: Any? = doc
        for key in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(key)] }
        return node as? [String: Any] ?? [:]
    }

    func parameters(_ path: String) -> [[String: Any]] {
        let get = (paths[path] as? [String: Any])?["get"] as? [String: Any]
        return ((get?["parameters"] as? [[String: Any]]) ?? []).map(resolve)
    }

    @Test func every_route_is_documented_and_every_documented_path_is_served() {
        let served = Set(WebRoutes.all.map(\.path))
        let documented = Set(paths.keys)
        #expect(served.subtracting(documented).isEmpty, "not in docs/openapi.json: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        #expect(served.count == WebRoutes.all.count, "a path is registered twice")
        for path in documented {
            let methods = Set(((paths[path] as? [String: Any]) ?? [:]).keys)
            #expect(methods == ["get"], "\(path) documents \(methods.sorted()); the server answers GET (and HEAD) only")
        }
    }

    @Test func every_route_documents_exactly_its_query_parameters() {
        for route in WebRoutes.all {
            let documented = parameters(route.path)
            #expect(documented.allSatisfy { $0["in"] as? String == "query" })
            let names = documented.compactMap { $0["name"] as? String }
            #expect(Set(names) == Set(route.parameters), "\(route.path): documented \(names.sorted()), served \(route.parameters.sorted())")
            #expect(names.count == Set(names).count, "\(route.path) documents a parameter twice")
        }
    }

    @Test func api_routes_document_their_errors_and_json() {
        for route in WebRoutes.all where route.kind == .api {
            let responses = (((paths[route.path] as? [String: Any])?["get"] as? [String: Any])?["responses"] as? [String: Any]) ?? [:]
            #expect(responses["200"] != nil && responses["400"] != nil, "\(route.path)")
            let content = ((responses["200"] as? [String: Any])?["content"] as? [String: Any]) ?? [:]
            #expect(content.keys.contains("application/json"), "\(route.path)")
        }
    }

    /// The documented choices are the engine's: a new quant or KV type must reach the documentation.
    @Test func documented_choices_are_the_servers() {
        func choices(_ path: String, _ name: String) -> [String] {
            let p = parameters(path).first { $0["name"] as? String == name }
            let schema = p?["schema"] as? [String: Any]
            return (schema?["enum"] as? [String]) ?? ((schema?["items"] as? [String: Any])?["enum"] as? [String]) ?? []
        }
        #expect(choices("/api/fit", "quant") == RunInputs.quants)
        #expect(choices("/api/fit", "draft-quant") == RunInputs.quants)
        #expect(choices("/api/fit", "ctk") == RunInputs.kvTypes)
        #expect(choices("/api/fit", "task") == RunInputs.tasks)
        #expect(choices("/api/fit", "runtime") == RunInputs.runtimes)
        #expect(choices("/api/fit", "flash-attn") == RunInputs.flashAttnChoices)
        #expect(choices("/api/recommend", "task") == RunInputs.tasks)
        #expect(choices("/api/choose-gpu", "vendor") == ChooseGPUInputs.vendorChoices)
        #expect(choices("/fit", "format") == WebRoutes.formats)
        let ctx = parameters("/api/fit").first { $0["name"] as? String == "ctx" }?["schema"] as? [String: Any]
        #expect(ctx?["minimum"] as? Int == RunInputs.ctxRange.lowerBound && ctx?["maximum"] as? Int == RunInputs.ctxRange.upperBound)
    }
}
