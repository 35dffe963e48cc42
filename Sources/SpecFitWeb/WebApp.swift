import Foundation
import Report
import SpecFitCore

/// One answer: status, type and body, and a file name when it is a download.
public struct WebResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: String
    /// Set for `?format=` downloads (sent as `Content-Disposition: attachment`).
    public var downloadName: String?

    static func json(_ body: String, status: Int = 200) -> WebResponse {
        WebResponse(status: status, contentType: "application/json; charset=utf-8", body: body)
    }

    static func html(_ body: String, status: Int = 200) -> WebResponse {
        WebResponse(status: status, contentType: "text/html; charset=utf-8", body: body)
    }
}

/// Every route's answer, without HTTP machinery: a query string in, a ``WebResponse`` out.
/// Nothing here throws or stops the process on bad input; every failure is a ``WebError`` rendered for its route.
public struct WebApp: Sendable {
    public let backend: any SpecFitBackend
    public let options: ServeOptions

    public init(backend: any SpecFitBackend, options: ServeOptions) {
        self.backend = backend
        self.options = options
    }

    /// The answer for one route and its raw query string (`nil` when the URL has none).
    public func respond(_ route: WebRoute, query: String?) -> WebResponse {
        switch route.kind {
        case .api: api(route, query: query)
        case .page: page(route, query: query)
        }
    }

    /// An error in the format of the address it answers: JSON under `/api/`, a page elsewhere.
    public func error(_ e: WebError, path: String) -> WebResponse {
        if path.hasPrefix("/api/") || path == "/api" { return apiError(e) }
        return .html(Pages(app: self).errorPage(e), status: e.status)
    }

    // MARK: API

    func api(_ route: WebRoute, query: String?) -> WebResponse {
        do throws(WebError) {
            let q = try Query(query)
            try q.check(allowed: route.parameters)
            let b = backend
            switch route.name {
            case .health:
                struct Health: Encodable { let status: String; let version: String; let machine: String; let allowWrite: Bool }
                return .json(try encode(Health(status: "ok", version: b.version, machine: b.machineLabel, allowWrite: options.allowWrite)))
            case .probe:
                return .json(try encode(b.machine))
            case .fit:
                guard let inputs = try FitInputs.parse(q) else { throw .badRequest("target: missing; give target=MODEL (a catalog id or alias)") }
                return .json(try encode(try b.fit(inputs)))
            case .compare:
                guard let inputs = try CompareInputs.parse(q) else { throw .badRequest("gpu: missing; give at least two, gpu=rtx-4090&gpu=rx-7900-xtx") }
                return .json(try encode(try b.compare(inputs)))
            case .chooseGPU:
                guard let inputs = try ChooseGPUInputs.parse(q) else { throw .badRequest("target: missing; give target=MODEL") }
                return .json(try encode(try b.chooseGPU(inputs)))
            case .cost:
                guard let inputs = try CostInputs.parse(q) else { throw .badRequest("target: missing; give target=MODEL") }
                return .json(try encode(try b.cost(inputs)))
            case .recommend:
                return .json(try encode(try b.recommend(try RecommendInputs.parse(q))))
            case .catalogTables:
                struct Table: Encodable { let table: String; let rows: Int }
                let tables = try b.catalogTables.map { t throws(WebError) in Table(table: t, rows: try b.catalogRows(table: t).count) }
                return .json(try encode(tables))
            case .catalogList:
                guard try q.string("table") != nil, case .list(let t) = try CatalogInputs.parse(q, tables: b.catalogTables) else {
                    throw .badRequest("table: missing; give one of \(b.catalogTables.joined(separator: ", "))")
                }
                return .json(try encode(try b.catalogRows(table: t)))
            case .catalogSearch:
                guard let text = try q.string("q") else { throw .badRequest("q: missing; give the text to look for") }
                return .json(try encode(try b.catalogSearch(text)))
            case .catalogShow:
                guard let name = try q.name("name") else { throw .badRequest("name: missing; give a catalog id or alias") }
                return .json(try encode(try b.catalogShow(name)))
            case .home, .catalog:
                throw WebError(status: 404, message: "no endpoint \(route.path)")
            }
        } catch {
            return apiError(error)
        }
    }

    func apiError(_ e: WebError) -> WebResponse {
        let body = (try? encode(ErrorBody(error: e.message, status: e.status, candidates: e.candidates.isEmpty ? nil : e.candidates)))
            ?? "{\"error\": \"internal error\", \"status\": 500}\n"
        return .json(body, status: e.status)
    }

    /// JSON exactly as the command line prints it (`printJSON`): pretty, sorted keys, slashes unescaped, one newline at the end.
    func encode<T: Encodable>(_ value: T) throws(WebError) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try enc.encode(value), as: UTF8.self) + "\n"
        } catch {
            throw WebError(status: 500, message: "cannot encode the answer as JSON: \(error.localizedDescription)")
        }
    }

    // MARK: Pages

    func page(_ route: WebRoute, query: String?) -> WebResponse {
        let pages = Pages(app: self)
        let form = FormValues(query)
        var format: String?
        do throws(WebError) {
            let q = try Query(query)
            try q.check(allowed: route.parameters)
            format = try q.choice("format", WebRoutes.formats)
            if format != nil && route.name == .home { throw .badRequest("format: the home page has no report to download") }
            let b = backend
            switch route.name {
            case .home:
                return .html(pages.home())
            case .probe:
                let m = b.machine
                if let format {
                    return try download(format, name: "specfit-probe", json: m, document: document(verdicts: [], comparison: nil, command: "specfit probe" + globalSuffix))
                }
                return .html(pages.probe(m))
            case .fit:
                guard let inputs = try FitInputs.parse(q) else { return .html(pages.fit(form, nil, nil)) }
                let f = try b.fit(inputs)
                if let format {
                    return try download(format, name: "specfit-fit-\(inputs.target)" + (inputs.draft.map { "-\($0)" } ?? ""), json: f,
                                        document: document(verdicts: [f], comparison: nil, command: inputs.arguments(explicit: false).display(global: b.globalArguments)))
                }
                return .html(pages.fit(form, inputs, f))
            case .compare:
                guard let inputs = try CompareInputs.parse(q) else { return .html(pages.compare(form, nil, nil)) }
                let c = try b.compare(inputs)
                if let format {
                    return try download(format, name: "specfit-compare-" + inputs.gpus.joined(separator: "-"), json: c,
                                        document: document(verdicts: [], comparison: c, command: inputs.arguments(explicit: false).display(global: b.globalArguments)))
                }
                return .html(pages.compare(form, inputs, c))
            case .chooseGPU:
                guard let inputs = try ChooseGPUInputs.parse(q) else { return .html(pages.chooseGPU(form, nil, nil)) }
                let list = try b.chooseGPU(inputs)
                if let format {
                    let cli = inputs.arguments(explicit: false).display(global: b.globalArguments)
                    return try download(format, name: "specfit-choose-gpu-\(inputs.target)", json: list,
                                        markdown: { Markdown.choices(list, inputs: inputs, command: cli) },
                                        html: { pages.chooseGPU(form, inputs, list, standalone: true) })
                }
                return .html(pages.chooseGPU(form, inputs, list))
            case .cost:
                guard let inputs = try CostInputs.parse(q) else { return .html(pages.cost(form, nil, nil)) }
                let e = try b.cost(inputs)
                if let format {
                    let cli = inputs.arguments(explicit: false).display(global: b.globalArguments)
                    return try download(format, name: "specfit-cost-\(inputs.target)", json: e,
                                        markdown: { Markdown.cost(e, inputs: inputs, command: cli) },
                                        html: { pages.cost(form, inputs, e, standalone: true) })
                }
                return .html(pages.cost(form, inputs, e))
            case .recommend:
                let inputs = try RecommendInputs.parse(q)
                let list = try b.recommend(inputs)
                if let format {
                    let cli = inputs.arguments(explicit: false).display(global: b.globalArguments)
                    return try download(format, name: "specfit-recommend", json: list,
                                        markdown: { Markdown.recommendations(list, command: cli) },
                                        html: { pages.recommend(form, inputs, list, standalone: true) })
                }
                return .html(pages.recommend(form, inputs, list))
            case .catalog:
                let inputs = try CatalogInputs.parse(q, tables: b.catalogTables)
                let result: CatalogResult
                switch inputs {
                case .list(let t): result = .rows(table: t, try b.catalogRows(table: t))
                case .search(let s): result = .hits(try b.catalogSearch(s))
                case .show(let n): result = .row(try b.catalogShow(n))
                }
                if let format {
                    let cli = inputs.arguments().display()
                    let name: String = switch inputs {
                    case .list(let t): "specfit-catalog-\(t)"
                    case .search(let s): "specfit-catalog-search-\(s)"
                    case .show(let n): "specfit-catalog-\(n)"
                    }
                    return try download(format, name: name, json: result,
                                        markdown: { Markdown.catalog(result, command: cli) },
                                        html: { pages.catalog(form, inputs, result, standalone: true) })
                }
                return .html(pages.catalog(form, inputs, result))
            case .health, .catalogTables, .catalogList, .catalogSearch, .catalogShow:
                throw WebError(status: 404, message: "no page \(route.path)")
            }
        } catch {
            if format == "json" { return apiError(error) }
            return .html(pages.render(route, form: form, error: error), status: error.status)
        }
    }

    var globalSuffix: String { backend.globalArguments.isEmpty ? "" : " " + backend.globalArguments.map(CommandLineArguments.shellQuote).joined(separator: " ") }

    func document(verdicts: [FitResult], comparison: Comparison?, command: String) -> ReportDocument {
        ReportDocument(generatedAt: ISO8601DateFormatter().string(from: Date()), specfitVersion: backend.version, machine: backend.machine,
                       machineLabel: backend.machineLabel, verdicts: verdicts, comparison: comparison, validation: [], commands: [command])
    }

    /// A report download: Markdown and HTML from the Report module (the same files `specfit report` writes), JSON as `--json`.
    func download<T: Encodable>(_ format: String, name: String, json: T, document: ReportDocument) throws(WebError) -> WebResponse {
        try download(format, name: name, json: json, markdown: { MarkdownReport.render(document) }, html: {
            (try? HTMLReport.render(document)) ?? "<!DOCTYPE html><p>the HTML report could not be rendered</p>"
        })
    }

    func download<T: Encodable>(_ format: String, name: String, json: T, markdown: () -> String, html: () -> String) throws(WebError) -> WebResponse {
        let file = Self.fileName(name)
        switch format {
        case "md": return WebResponse(status: 200, contentType: "text/markdown; charset=utf-8", body: markdown(), downloadName: file + ".md")
        case "html": return WebResponse(status: 200, contentType: "text/html; charset=utf-8", body: html(), downloadName: file + ".html")
        default: return WebResponse(status: 200, contentType: "application/json; charset=utf-8", body: try encode(json), downloadName: file + ".json")
        }
    }

    /// A file name safe in a Content-Disposition header and on any file system.
    static func fileName(_ s: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-_")
        var out = String(s.lowercased().map { allowed.contains($0) ? $0 : "-" }.prefix(120))
        while out.contains("--") { out = out.replacingOccurrences(of: "--", with: "-") }
        return out.trimmingCharacters(in: CharacterSet(charactersIn: "-."))
    }
}

/// What the catalog page shows; encoded as the matching `specfit catalog … --json` output.
enum CatalogResult: Encodable {
    case rows(table: String, [[String: String]])
    case hits([[String: String]])
    case row([String: String])

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .rows(_, let r): try c.encode(r)
        case .hits(let h): try c.encode(h)
        case .row(let r): try c.encode(r)
        }
    }
}

/// A page's query as typed, kept even when it does not parse, so a form comes back as the user left it.
struct FormValues {
    private var values: [String: [String]] = [:]
    /// Every pair in query order, for links that change one value ("did you mean …").
    private(set) var ordered: [(key: String, value: String)] = []

    init(_ query: String?) {
        guard let query, query.utf8.count <= Query.maxQueryBytes else { return }
        for part in query.split(separator: "&") {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let k = kv[0].replacingOccurrences(of: "+", with: " ").removingPercentEncoding else { continue }
            let v = kv.count > 1 ? (kv[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
            values[k, default: []].append(String(v.prefix(Query.maxValueLength)))
            ordered.append((k, String(v.prefix(Query.maxValueLength))))
        }
    }

    func one(_ key: String) -> String? { values[key]?.first(where: { !$0.isEmpty }) }
    func all(_ key: String) -> [String] { values[key] ?? [] }
    func has(_ key: String) -> Bool { values[key] != nil }

    /// This query with every occurrence of `old` (as a whole value) replaced by `new`, empty values dropped.
    func replacing(_ old: String, with new: String) -> String {
        var b = QueryBuilder()
        for (k, v) in ordered where !v.isEmpty && k != "format" { b.add(k, v == old ? new : v) }
        return b.string
    }
}
