import Foundation
import Mustache
import Report
import SpecFitCore

/// The server-rendered pages: one layout (navigation, form, error, links, result) and one template per answer.
/// Offline by construction: inline CSS, inline SVG (the charts of the HTML report), no script, no remote resource.
struct Pages {
    let app: WebApp
    var backend: any SpecFitBackend { app.backend }

    // MARK: Pages

    func home() -> String {
        let m = backend.machine
        let gpus = m.gpus.isEmpty ? "no GPU" : m.gpus.map(\.name).joined(separator: ", ")
        let intro = "<p>\(HTML.esc(backend.machineLabel))</p><p class=\"muted\">CPU \(HTML.esc(m.cpu.model)) · \(Fmt.gib(m.memory.totalBytes)) GiB RAM · \(HTML.esc(gpus))</p>"
        let cards = [
            ("/fit", "Will it run?", "A target model, optionally with a draft for speculative decoding, on this machine or on GPUs you name: where it goes, memory per device, tok/s with and without speculation, and the llama-server command."),
            ("/probe", "This machine", "What the probe found when the server started: CPU, RAM, measured memory bandwidth, GPUs and where each fact came from."),
            ("/compare", "Compare GPUs", "Two or more cards side by side on the same pairs: verdict and tok/s of each, the winner, and what would turn a no into a yes."),
            ("/choose-gpu", "Choose a GPU", "Which cards (one, two or four of the same) hold a pair whole at your context and speed, cheapest first."),
            ("/cost", "Cost", "Cost per million tokens on local hardware against a cloud price, and the daily volume where they break even."),
            ("/recommend", "What runs here", "The best target/draft/quant combinations for this machine, ranked by predicted tok/s within quality tiers."),
            ("/catalog", "Catalog", "Every model, GPU, quant type, tokenizer group, acceptance prior and price the answers use, each with its source."),
        ]
        let body = intro + "<div class=\"cards\">" + cards.map { href, title, text in
            "<div class=\"card\"><a href=\"\(href)\">\(HTML.esc(title))</a><p>\(HTML.esc(text))</p></div>"
        }.joined() + "</div>" +
        "<h2>Examples</h2><ul>" + [
            ("/fit?target=llama-3.1-8b&draft=llama-3.2-1b", "llama-3.1-8b with llama-3.2-1b as draft, here"),
            ("/fit?target=llama-3.1-70b&draft=llama-3.2-1b&gpu=rtx-4090&ctx=8192", "llama-3.1-70b + llama-3.2-1b on an RTX 4090 at n_ctx 8192"),
            ("/compare?gpu=rtx-4090&gpu=rx-7900-xtx&gpu=2x+rtx-3090&target=qwen2.5-coder-32b&draft=qwen2.5-coder-0.5b", "RTX 4090 vs RX 7900 XTX vs two RTX 3090 for Qwen2.5-Coder 32B"),
        ].map { "<li><a href=\"\($0.0.replacingOccurrences(of: "&", with: "&amp;"))\">\(HTML.esc($0.1))</a></li>" }.joined() + "</ul>" +
        "<h2>API</h2><p>Every page has a JSON twin under <code>/api/</code> with the same parameters, giving the document the command's <code>--json</code> prints: " +
        WebRoutes.all.filter { $0.kind == .api }.map { "<code>\($0.path)</code>" }.joined(separator: " ") +
        ". The OpenAPI description is <code>docs/openapi.json</code> in the repository.</p>"
        return layout(.home, title: "SpecFit", lead: "Will this model — and this speculative-decoding pair — run, and how fast? The same answers as the specfit command line, from the same engine.",
                      form: "", error: nil, tools: nil, result: body)
    }

    func probe(_ m: Machine) -> String {
        let tools = Tools(path: "/probe", query: "", api: "/api/probe", cli: "specfit probe" + app.globalSuffix)
        return layout(.probe, title: "This machine", lead: "What the probe found when the server started (\(m.origin)).", form: "", error: nil,
                      tools: tools, result: render(Self.probeTemplate, Self.probeContext(m)))
    }

    func fit(_ v: FormValues, _ inputs: FitInputs?, _ f: FitResult?, error: WebError? = nil) -> String {
        let form = HTML.form(action: "/fit", submit: "Will it run?", [
            HTML.grid([
                HTML.text("target", "Target model", value: v.one("target"), list: "models", placeholder: "llama-3.1-8b", required: true),
                HTML.text("draft", "Draft model (optional)", value: v.one("draft"), list: "models", placeholder: "llama-3.2-1b"),
                HTML.text("gpu", "GPU (empty: this machine's)", value: v.all("gpu").first, list: "gpus", placeholder: "rtx-4090, 2x rtx-3090"),
                HTML.text("gpu", "Another GPU (optional)", value: v.all("gpu").dropFirst().first, list: "gpus"),
            ]),
            HTML.runFields(v),
        ]) + modelLists
        let tools = inputs.map { Tools(path: "/fit", query: $0.query, api: "/api/fit", cli: $0.arguments(explicit: false).display(global: backend.globalArguments)) }
        return layout(.fit, title: "Will it run?", lead: "A target model and, for speculative decoding, a draft — on this machine, or on the GPUs you name with this machine's CPU and RAM.",
                      form: form, error: error.map { errorBox($0, v, path: "/fit") }, tools: tools,
                      result: f.map { render(Self.fitTemplate, Self.fitContext($0)) } ?? "")
    }

    func compare(_ v: FormValues, _ inputs: CompareInputs?, _ c: Comparison?, error: WebError? = nil) -> String {
        let gpus = v.all("gpu"), targets = v.all("target"), drafts = pairDrafts(v)
        var gpuFields: [String] = []
        for i in 0..<max(4, min(gpus.count, Query.maxRepeats)) {
            gpuFields.append(HTML.text("gpu", "GPU \(i + 1)" + (i >= 2 ? " (optional)" : ""), value: i < gpus.count ? gpus[i] : nil, list: "gpus",
                                       placeholder: ["rtx-4090", "rx-7900-xtx", "2x rtx-3090", ""][min(i, 3)]))
        }
        var pairFields: [String] = []
        for i in 0..<max(3, min(targets.count, Query.maxRepeats)) {
            pairFields.append(HTML.text("target", "Target \(i + 1)", value: i < targets.count ? targets[i] : nil, list: "models",
                                        placeholder: i == 0 ? "llama-3.1-70b" : ""))
            pairFields.append(HTML.text("draft", "Draft \(i + 1)", value: i < drafts.count ? drafts[i] : nil, list: "models",
                                        placeholder: i == 0 ? "llama-3.2-1b" : "none"))
        }
        let form = HTML.form(action: "/compare", submit: "Compare", [
            HTML.grid(gpuFields),
            "<p class=\"muted\">Pairs (leave empty for the catalog's list of pairs):</p>",
            "<div class=\"grid pairs\">" + pairFields.joined() + "</div>",
            HTML.runFields(v),
        ]) + modelLists
        let tools = inputs.map { Tools(path: "/compare", query: $0.query, api: "/api/compare", cli: $0.arguments(explicit: false).display(global: backend.globalArguments)) }
        return layout(.compare, title: "Compare GPUs", lead: "Two or more cards on the same pairs, with this machine's CPU and RAM as the host. \"2x rtx-3090\" counts as one configuration.",
                      form: form, error: error.map { errorBox($0, v, path: "/compare") }, tools: tools,
                      result: c.map { render(Self.compareTemplate, Self.compareContext($0)) } ?? "")
    }

    /// The draft field of each target row, as the form sent them (a blank draft keeps its row).
    func pairDrafts(_ v: FormValues) -> [String] {
        var drafts: [String] = []
        var rows = 0
        for (k, value) in v.ordered {
            if k == "target" { rows += 1; while drafts.count < rows - 1 { drafts.append("") } }
            if k == "draft", rows > 0, drafts.count < rows { drafts.append(value) }
        }
        return drafts
    }

    func chooseGPU(_ v: FormValues, _ inputs: ChooseGPUInputs?, _ list: GPUChoiceList?, error: WebError? = nil, standalone: Bool = false) -> String {
        let vendors = Set(v.all("vendor").map { $0.lowercased() })
        let form = HTML.form(action: "/choose-gpu", submit: "Choose", [
            HTML.grid([
                HTML.text("target", "Target model", value: v.one("target"), list: "models", placeholder: "qwen2.5-coder-32b", required: true),
                HTML.text("draft", "Draft model (optional)", value: v.one("draft"), list: "models", placeholder: "qwen2.5-coder-0.5b"),
                HTML.number("min-tps", "At least tok/s", value: v.one("min-tps"), min: "0", max: "100000", step: "any", placeholder: "0"),
                HTML.number("budget", "Budget (USD)", value: v.one("budget"), min: "0", max: "1000000000", step: "any", placeholder: "no limit"),
                HTML.number("top", "How many", value: v.one("top") ?? "15", min: "1", max: "500"),
            ]),
            "<div class=\"vendors\">Vendors: " + ChooseGPUInputs.vendorChoices.map { HTML.checkbox("vendor", $0, checked: vendors.contains($0), value: $0) }.joined() +
            " <span class=\"muted\">(none ticked: all)</span></div>",
            HTML.runFields(v),
        ]) + modelLists
        let tools = inputs.map { Tools(path: "/choose-gpu", query: $0.query, api: "/api/choose-gpu", cli: $0.arguments(explicit: false).display(global: backend.globalArguments)) }
        return layout(.chooseGPU, title: "Choose a GPU", lead: "Which catalog cards hold the pair whole at this context and speed — one, or two or four of the same card when fewer cannot — cheapest first where a dated price is known.",
                      form: form, error: error.map { errorBox($0, v, path: "/choose-gpu") }, tools: tools,
                      result: list.map { render(Self.chooseTemplate, Self.chooseContext($0, top: inputs?.top ?? 15)) } ?? "", standalone: standalone)
    }

    func cost(_ v: FormValues, _ inputs: CostInputs?, _ e: CostEstimate?, error: WebError? = nil, standalone: Bool = false) -> String {
        let d = CostInputs(target: "")
        let form = HTML.form(action: "/cost", submit: "Cost it", [
            HTML.grid([
                HTML.text("target", "Target model", value: v.one("target"), list: "models", placeholder: "qwen2.5-coder-32b", required: true),
                HTML.text("draft", "Draft model (optional)", value: v.one("draft"), list: "models", placeholder: "qwen2.5-coder-0.5b"),
                HTML.text("gpu", "GPU (empty: this machine's)", value: v.all("gpu").first, list: "gpus", placeholder: "rtx-4090"),
                HTML.number("cloud-price-per-mtok", "Cloud price per million tokens (USD)", value: v.one("cloud-price-per-mtok"), min: "0", max: "10000", step: "any", placeholder: "catalog's cheapest"),
                HTML.number("hardware-price", "Hardware price (USD)", value: v.one("hardware-price"), min: "0", max: "1000000000", step: "any", placeholder: "catalog card prices"),
                HTML.number("kwh-price", "Electricity per kWh (USD)", value: v.one("kwh-price") ?? Query.format(d.kWhPrice), min: "0", max: "100", step: "any"),
                HTML.number("hours-per-day", "Hours of generation a day", value: v.one("hours-per-day") ?? Query.format(d.hoursPerDay), min: "0", max: "24", step: "any"),
                HTML.number("lifetime-years", "Hardware lifetime (years)", value: v.one("lifetime-years") ?? Query.format(d.lifetimeYears), min: "0", max: "50", step: "any"),
                HTML.number("cpu-watts", "CPU power while generating (W)", value: v.one("cpu-watts") ?? Query.format(d.cpuWatts), min: "0", max: "5000", step: "any"),
            ]),
            HTML.runFields(v),
        ]) + modelLists
        let tools = inputs.map { Tools(path: "/cost", query: $0.query, api: "/api/cost", cli: $0.arguments(explicit: false).display(global: backend.globalArguments)) }
        return layout(.cost, title: "Cost", lead: "Cost per million generated tokens locally — hardware amortised over its lifetime plus power — against a cloud price, and the daily volume at which they break even.",
                      form: form, error: error.map { errorBox($0, v, path: "/cost") }, tools: tools,
                      result: e.map { render(Self.costTemplate, Self.costContext($0)) } ?? "", standalone: standalone)
    }

    func recommend(_ v: FormValues, _ inputs: RecommendInputs?, _ list: RecommendationList?, error: WebError? = nil, standalone: Bool = false) -> String {
        let d = RecommendInputs()
        let form = HTML.form(action: "/recommend", submit: "Rank", [
            HTML.grid([
                HTML.select("task", "Task (acceptance prior)", value: v.one("task") ?? d.task, choices: RunInputs.tasks),
                HTML.number("min-tps", "At least tok/s", value: v.one("min-tps") ?? Query.format(d.minTPS), min: "0", max: "100000", step: "any"),
                HTML.number("ctx", "Context (n_ctx)", value: v.one("ctx") ?? String(d.ctx), min: "\(RunInputs.ctxRange.lowerBound)", max: "\(RunInputs.ctxRange.upperBound)"),
                HTML.text("gpu", "GPU (empty: this machine's)", value: v.all("gpu").first, list: "gpus", placeholder: "rtx-4090"),
                HTML.number("top", "How many", value: v.one("top") ?? String(d.top), min: "1", max: "100"),
            ]),
        ]) + HTML.datalist("gpus", backend.gpuIDs)
        let tools = inputs.map { Tools(path: "/recommend", query: $0.query, api: "/api/recommend", cli: $0.arguments(explicit: false).display(global: backend.globalArguments)) }
        return layout(.recommend, title: "What runs here", lead: "Every catalog target × quant × draft that fits, ranked by predicted tok/s within quality tiers (larger target and higher quant first).",
                      form: form, error: error.map { errorBox($0, v, path: "/recommend") }, tools: tools,
                      result: list.map { render(Self.recommendTemplate, Self.recommendContext($0, inputs: inputs ?? RecommendInputs())) } ?? "", standalone: standalone)
    }

    func catalog(_ v: FormValues, _ inputs: CatalogInputs?, _ result: CatalogResult?, error: WebError? = nil, standalone: Bool = false) -> String {
        let tables = backend.catalogTables
        let current: String = if case .list(let t)? = inputs { t } else { v.one("table") ?? "models" }
        let form = "<div class=\"catalog-forms\">" +
            HTML.form(action: "/catalog", submit: "List", [HTML.grid([HTML.select("table", "Table", value: current, choices: tables)])]) +
            HTML.form(action: "/catalog", submit: "Search", [HTML.grid([HTML.text("q", "Search ids, names, aliases", value: v.one("q"), placeholder: "coder")])]) +
            HTML.form(action: "/catalog", submit: "Show", [HTML.grid([HTML.text("name", "Show one row", value: v.one("name"), list: "all", placeholder: "rtx-4090")])]) +
            "</div>" + HTML.datalist("all", backend.modelIDs + backend.gpuIDs)
        let tools = inputs.map { i in Tools(path: "/catalog", query: i.query, api: Self.catalogAPI(i), cli: i.arguments().display()) }
        return layout(.catalog, title: "Catalog", lead: "The rows every answer is computed from, each with its source. Bundled rows come from catalog/*.csv in the repository.",
                      form: form, error: error.map { errorBox($0, v, path: "/catalog") }, tools: tools,
                      result: result.map { render(Self.catalogTemplate, Self.catalogContext($0)) } ?? "", standalone: standalone)
    }

    static func catalogAPI(_ i: CatalogInputs) -> String {
        switch i {
        case .list: "/api/catalog/list"
        case .search: "/api/catalog/search"
        case .show: "/api/catalog/show"
        }
    }

    /// A page that failed: its form as the user left it, and the error above where the answer would be.
    func render(_ route: WebRoute, form v: FormValues, error e: WebError) -> String {
        switch route.name {
        case .fit: fit(v, nil, nil, error: e)
        case .compare: compare(v, nil, nil, error: e)
        case .chooseGPU: chooseGPU(v, nil, nil, error: e)
        case .cost: cost(v, nil, nil, error: e)
        case .recommend: recommend(v, nil, nil, error: e)
        case .catalog: catalog(v, nil, nil, error: e)
        default: errorPage(e)
        }
    }

    /// A page for an address that has none (404) or a refused request.
    func errorPage(_ e: WebError) -> String {
        layout(nil, title: "\(e.status) \(Self.reason(e.status))", lead: nil, form: "", error: errorBox(e, FormValues(nil), path: "/"), tools: nil,
               result: "<p><a href=\"/\">Home</a></p>")
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 400: "Bad request"
        case 403: "Forbidden"
        case 404: "Not found"
        case 405: "Method not allowed"
        case 422: "Unprocessable input"
        default: "Error"
        }
    }

    func errorBox(_ e: WebError, _ v: FormValues, path: String) -> String {
        var s = "<div class=\"error\" role=\"alert\"><strong>\(e.status) \(Self.reason(e.status))</strong> — \(HTML.esc(e.message))"
        if !e.candidates.isEmpty {
            let links = e.candidates.prefix(8).map { c in
                if let old = e.value { return "<a href=\"\(HTML.esc(path + "?" + v.replacing(old, with: c)))\">\(HTML.esc(c))</a>" }
                return "<code>\(HTML.esc(c))</code>"
            }
            s += "<br/>Try " + links.joined(separator: ", ")
        }
        return s + "</div>"
    }

    var modelLists: String { HTML.datalist("models", backend.modelIDs) + HTML.datalist("gpus", backend.gpuIDs) }

    // MARK: Layout

    /// Permalink, downloads, the API twin and the command line of an answered page.
    struct Tools {
        var path: String
        var query: String
        var api: String
        var cli: String
    }

    func layout(_ name: WebRoute.Name?, title: String, lead: String?, form: String, error: String?, tools: Tools?, result: String,
                standalone: Bool = false) -> String {
        var ctx: [String: Any] = [
            "title": title, "form": standalone ? "" : form, "result": result, "css": Self.css, "version": backend.version,
            "machineLabel": backend.machineLabel,
            "nav": WebRoutes.pages.filter { $0.name != .home }.map { ["path": $0.path, "title": $0.title, "current": $0.name == name] as [String: Any] },
        ]
        if !standalone { ctx["interactive"] = true }
        if let lead { ctx["lead"] = lead }
        if let error { ctx["error"] = error }
        if let t = tools {
            let base = t.path + (t.query.isEmpty ? "" : "?" + t.query)
            let sep = t.query.isEmpty ? "?" : "&"
            ctx["tools"] = [
                "permalink": base, "md": base + sep + "format=md", "html": base + sep + "format=html", "json": base + sep + "format=json",
                "api": t.api + (t.query.isEmpty ? "" : "?" + t.query), "cli": t.cli, "standalone": standalone,
            ] as [String: Any]
        }
        return render(Self.layoutTemplate, ctx)
    }

    func render(_ template: MustacheTemplate?, _ ctx: [String: Any]) -> String {
        template?.render(ctx) ?? "<p>template error</p>"
    }

    static func template(_ s: String) -> MustacheTemplate? { try? MustacheTemplate(string: s) }

    static let css = """
    :root { --accent: #3b6ea5; --fg: #1d232b; --muted: #5b6570; --line: #dde2e8; --soft: #f4f6f9; }
    * { box-sizing: border-box; }
    body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: var(--fg); line-height: 1.45; background: #fff; }
    header { background: #1f2d3d; color: #fff; padding: 0.55em 1.2em; display: flex; align-items: center; gap: 1.4em; flex-wrap: wrap; }
    header .brand { color: #fff; font-weight: 700; font-size: 1.15em; text-decoration: none; letter-spacing: 0.02em; }
    nav { display: flex; flex-wrap: wrap; gap: 0.2em 1.1em; }
    nav a { color: #cfd8e3; text-decoration: none; padding: 0.15em 0; }
    nav a:hover { color: #fff; }
    nav a[aria-current] { color: #fff; border-bottom: 2px solid #f28e2b; }
    main { max-width: 1060px; margin: 1.2em auto; padding: 0 1.2em; }
    h1 { font-size: 1.55em; margin: 0.3em 0 0.2em; }
    h2 { font-size: 1.15em; border-bottom: 1px solid var(--line); padding-bottom: 0.2em; margin-top: 1.6em; }
    h3 { font-size: 1em; margin: 1.1em 0 0.3em; }
    a { color: var(--accent); }
    .lead { color: var(--muted); margin-top: 0; max-width: 52em; }
    form.query { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 0.8em 1em; margin: 0.8em 0; }
    .catalog-forms { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 0 1em; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 0.6em 1em; margin-bottom: 0.4em; }
    .grid.pairs { grid-template-columns: repeat(2, minmax(230px, 1fr)); max-width: 520px; }
    label.field { display: flex; flex-direction: column; font-size: 0.85em; color: var(--muted); }
    label.field input, label.field select { font: inherit; font-size: 1.05em; color: var(--fg); padding: 0.3em 0.45em; border: 1px solid #b9c2cc; border-radius: 4px; background: #fff; margin-top: 0.15em; }
    label.field small { color: var(--muted); font-size: 0.85em; }
    label.check { font-size: 0.9em; display: inline-flex; align-items: center; gap: 0.35em; margin-right: 1em; }
    .vendors { margin: 0.5em 0; font-size: 0.9em; }
    details { margin: 0.4em 0 0; }
    summary { cursor: pointer; color: var(--accent); font-size: 0.9em; margin-bottom: 0.5em; }
    .actions { margin-top: 0.7em; }
    button { font: inherit; background: var(--accent); color: #fff; border: 0; border-radius: 4px; padding: 0.4em 1.3em; cursor: pointer; }
    button:hover { background: #2d5a8a; }
    .error { background: #fdecea; border-left: 4px solid #c62828; padding: 0.6em 0.9em; margin: 1em 0; }
    .verdict { font-weight: 600; padding: 0.7em 0.9em; background: #eaf4ea; border-left: 5px solid #59a14f; margin: 1em 0 0.3em; }
    .verdict.partial { background: #fff5e6; border-color: #f28e2b; }
    .verdict.cpu { background: #eef4fb; border-color: var(--accent); }
    .verdict.nofit { background: #fdecea; border-color: #c62828; }
    .tools { font-size: 0.9em; margin: 1.2em 0 0.4em; color: var(--muted); }
    .tools a { margin-right: 0.35em; }
    pre { background: #f6f7f8; border: 1px solid var(--line); border-radius: 4px; padding: 0.6em 0.8em; overflow-x: auto; white-space: pre-wrap; word-break: break-word; font-size: 0.88em; }
    pre.cli { margin: 0.4em 0 0; }
    table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
    caption { text-align: left; font-weight: 600; padding: 0.2em 0; }
    td, th { border: 1px solid var(--line); padding: 0.28em 0.6em; text-align: left; vertical-align: top; }
    th { background: var(--soft); font-weight: 600; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    tr.win td { background: #f1f8f0; }
    td.id { white-space: nowrap; }
    .muted { color: var(--muted); font-size: 0.9em; }
    .devices { display: flex; flex-wrap: wrap; gap: 0 1.5em; align-items: flex-start; }
    .scroll { overflow-x: auto; }
    svg.chart { max-width: 100%; height: auto; display: block; margin: 0.6em 0; }
    .big { font-size: 1.25em; margin: 0.3em 0; }
    .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 0.9em; margin-top: 1em; }
    .card { border: 1px solid var(--line); border-radius: 6px; padding: 0.7em 1em; background: #fff; }
    .card a { font-weight: 600; font-size: 1.05em; text-decoration: none; }
    .card p { margin: 0.3em 0 0; color: var(--muted); font-size: 0.92em; }
    footer { max-width: 1060px; margin: 2.5em auto 1em; padding: 0.8em 1.2em; color: var(--muted); font-size: 0.82em; border-top: 1px solid var(--line); }
    code { font-size: 0.92em; }
    """

    static let layoutTemplate = template("""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8"/>
    <meta name="viewport" content="width=device-width, initial-scale=1"/>
    <title>{{title}} — SpecFit</title>
    <link rel="icon" href="data:,"/>
    <style>{{{css}}}</style>
    </head>
    <body>
    {{#interactive}}
    <header><a class="brand" href="/">SpecFit</a><nav>{{#nav}}<a href="{{path}}"{{#current}} aria-current="page"{{/current}}>{{title}}</a>{{/nav}}</nav></header>
    {{/interactive}}
    <main>
    <h1>{{title}}</h1>
    {{#lead}}<p class="lead">{{lead}}</p>{{/lead}}
    {{{form}}}
    {{{error}}}
    {{#tools}}
    <div class="tools">{{^standalone}}<a href="{{permalink}}">Permalink</a> · Download <a href="{{md}}">Markdown</a> <a href="{{html}}">HTML</a> <a href="{{json}}">JSON</a> · JSON API <a href="{{api}}">{{api}}</a>{{/standalone}}
    <pre class="cli">{{cli}}</pre></div>
    {{/tools}}
    {{{result}}}
    </main>
    <footer>specfit {{version}} · answers for {{machineLabel}} · works offline: no script, no remote resource{{#interactive}} · JSON API under <a href="/api/health">/api/</a>{{/interactive}}</footer>
    </body>
    </html>
    """)

    // MARK: Probe

    static let probeTemplate = template("""
    <table>
    {{#rows}}<tr><th>{{key}}</th><td>{{value}}</td></tr>{{/rows}}
    </table>
    {{^empty(gpus)}}<h2>GPUs</h2>{{/empty(gpus)}}
    {{#gpus}}
    <table><caption>{{title}}</caption>
    {{#rows}}<tr><th>{{key}}</th><td>{{value}}</td></tr>{{/rows}}
    </table>
    {{/gpus}}
    {{^empty(unknowns)}}<h2>Not known</h2><ul>{{#unknowns}}<li>{{.}}</li>{{/unknowns}}</ul>{{/empty(unknowns)}}
    {{^empty(facts)}}<details><summary>Where each fact came from ({{count(facts)}})</summary><div class="scroll"><table><tr><th>fact</th><th>value</th><th>origin</th></tr>{{#facts}}<tr><td>{{name}}</td><td>{{value}}</td><td class="muted">{{origin}}</td></tr>{{/facts}}</table></div></details>{{/empty(facts)}}
    <p><a href="/recommend">What runs on this machine?</a> · <a href="/fit?target=llama-3.1-8b&amp;draft=llama-3.2-1b">Will llama-3.1-8b with a llama-3.2-1b draft run here?</a></p>
    """)

    static func probeContext(_ m: Machine) -> [String: Any] {
        let c = m.cpu
        var rows: [[String: String]] = [
            ["key": "CPU", "value": "\(c.model)\(c.vendor.map { " (\($0))" } ?? ""): \(c.physicalCores.map { "\($0) physical / " } ?? "")\(c.logicalCores) logical cores\(c.frequencyMHz.map { String(format: ", %.0f MHz", $0) } ?? "")"],
        ]
        if !c.simdFlags.isEmpty { rows.append(["key": "SIMD", "value": c.simdFlags.joined(separator: " ")]) }
        var ram = m.memory.totalBytes > 0 ? "\(Fmt.gib(m.memory.totalBytes)) GiB total" : "unknown"
        if let a = m.memory.availableBytes { ram += ", \(Fmt.gib(a)) GiB available" }
        if let l = m.memory.cgroupLimitBytes { ram += ", cgroup v\(m.memory.cgroupVersion ?? 0) limit \(Fmt.gib(l)) GiB" }
        else if let v = m.memory.cgroupVersion { ram += ", cgroup v\(v): no memory limit" }
        rows.append(["key": "RAM", "value": ram])
        if let b = c.measuredBandwidth {
            rows.append(["key": "CPU bandwidth", "value": String(format: "%.1f GB/s (STREAM-style triad, %d threads, %@)", b.triadGBps, b.threads, b.measuredAt)])
        } else {
            rows.append(["key": "CPU bandwidth", "value": "not measured"])
        }
        if m.gpus.isEmpty { rows.append(["key": "GPUs", "value": "none: models run on the CPU"]) }
        if let h = m.hostname { rows.append(["key": "Host name", "value": h]) }
        rows.append(["key": "Source", "value": m.origin])
        let gpus: [[String: Any]] = m.gpus.map { g in
            var r: [[String: String]] = [["key": "PCI", "value": "\(g.pciAddress) [\(g.vendorID):\(g.deviceID)]\(g.revision.map { " rev \($0)" } ?? "")"]]
            r.append(["key": "Name", "value": "\(g.name) (from \(g.nameSource))"])
            r.append(["key": "Driver", "value": g.driver ?? "none"])
            var mem = g.vramTotalBytes.map { "\(Fmt.gib($0)) GiB total" } ?? "unknown"
            if let f = g.vramFreeBytes { mem += ", \(Fmt.gib(f)) GiB free" }
            if let t = g.gttTotalBytes { mem += ", GTT \(Fmt.gib(t)) GiB" }
            if let s = g.memorySource { mem += " (\(s))" }
            r.append(["key": "Memory", "value": mem])
            if let id = g.catalogID {
                r.append(["key": "Catalog", "value": "\(id)\(g.matchConfidence.map { String(format: " (confidence %.2f", $0) } ?? " (")\(g.matchReason.map { ": \($0)" } ?? ""))"])
            }
            if let b = g.backends, !b.isEmpty { r.append(["key": "Backends", "value": b.map { "\($0.backend.rawValue): \($0.likelyUsable ? "likely usable" : "not usable") (\($0.evidence))" }.joined(separator: "; ")]) }
            if g.visibleToRuntime == false { r.append(["key": "Visible", "value": "not visible to this process (NVML does not list it)"]) }
            return ["title": "\(g.name)\(g.isIntegrated ? " (integrated)" : "")", "rows": r]
        }
        let facts: [[String: String]] = (m.facts ?? []).map { ["name": $0.name, "value": $0.value, "origin": $0.origin] }
        return ["rows": rows, "gpus": gpus, "unknowns": m.unknowns, "facts": facts]
    }

    // MARK: Fit

    static let fitTemplate = template("""
    <p class="verdict {{kindClass}}">{{verdict}}</p>
    <p class="muted">{{machine}}</p>
    <div class="scroll"><table>
    <tr><th></th><th>model</th><th>quant</th><th class="num">parameters</th><th class="num">weights GiB</th><th class="num">KV GiB</th><th>source</th></tr>
    {{#models}}<tr><th>{{role}}</th><td class="id"><a href="/catalog?name={{id}}">{{id}}</a></td><td>{{ftype}}</td><td class="num">{{params}} B</td><td class="num">{{weights}}</td><td class="num">{{kv}}</td><td class="muted">{{#sourceURL}}<a href="{{sourceURL}}" title="{{source}}">{{sourceHost}}</a>{{/sourceURL}}{{^sourceURL}}{{source}}{{/sourceURL}}</td></tr>{{/models}}
    </table></div>
    <h2>Memory</h2>
    {{{memoryChart}}}
    <div class="devices">
    {{#devices}}
    <table><caption>{{device}}</caption>
    <tr><th>item</th><th class="num">GiB</th></tr>
    {{#items}}<tr><td>{{label}}</td><td class="num">{{gib}}</td></tr>{{/items}}
    <tr><th>total</th><th class="num">{{used}}</th></tr>
    <tr><td class="muted">usable (less {{margin}} GiB kept free)</td><td class="num muted">{{usable}}</td></tr>
    <tr><td colspan="2" class="muted">{{basis}} — {{fitText}}</td></tr>
    </table>
    {{/devices}}
    </div>
    <h2>Speed (n_ctx {{nCtx}}, quoted at token position {{position}})</h2>
    {{^fits}}<p>Not predicted: the configuration does not fit.</p>{{/fits}}
    {{#fits}}
    <table>
    <tr><th></th><th class="num">tok/s</th><th class="num">low</th><th class="num">high</th><th></th></tr>
    {{#speedRows}}<tr><td>{{label}}</td><td class="num">{{mid}}</td><td class="num">{{low}}</td><td class="num">{{high}}</td><td class="muted">{{note}}</td></tr>{{/speedRows}}
    </table>
    {{{gammaChart}}}
    <ul class="muted">{{#basis}}<li>{{.}}</li>{{/basis}}</ul>
    {{/fits}}
    {{^empty(compat)}}<h2>Pair check (draft tokenizer against target)</h2><ul>{{#compat}}<li>{{.}}</li>{{/compat}}</ul>{{/empty(compat)}}
    <h2>Commands</h2>
    <pre>{{#commands}}{{.}}
    {{/commands}}</pre>
    {{^empty(advice)}}<h2>What to change</h2><ul>{{#advice}}<li>{{.}}</li>{{/advice}}</ul>{{/empty(advice)}}
    """)

    static func kindClass(_ k: PlacementKind) -> String {
        switch k {
        case .allOnGPU: "gpu"
        case .partialOffload: "partial"
        case .cpuOnly: "cpu"
        case .doesNotFit: "nofit"
        }
    }

    static func fitContext(_ f: FitResult) -> [String: Any] {
        func model(_ role: String, _ m: ModelSummary) -> [String: String] {
            var r = ["role": role, "id": m.id, "ftype": m.ftype, "params": String(format: "%.2f", Double(m.parameterCount) / 1e9),
                     "weights": Fmt.gib(m.weightBytes), "kv": Fmt.gib(m.kvBytes), "source": m.source]
            // The source line can be long (a URL, then where each value was checked): link its first URL, full text on hover.
            if let first = m.source.split(separator: " ").first, first.hasPrefix("https://") || first.hasPrefix("http://"),
               let url = URL(string: String(first)), let host = url.host {
                r["sourceURL"] = String(first)
                r["sourceHost"] = host
            }
            return r
        }
        let devices: [[String: Any]] = (f.placement.gpus + [f.placement.host]).filter { !$0.items.isEmpty || $0.usableBytes > 0 }.map { d in
            ["device": d.device, "used": Fmt.gib(d.usedBytes), "usable": Fmt.gib(d.usableBytes - d.marginBytes), "margin": Fmt.gib(d.marginBytes),
             "basis": d.basis, "fitText": d.fits ? "fits" : "does not fit",
             "items": d.items.filter { $0.bytes > 0 }.map { ["label": $0.label, "gib": Fmt.gib($0.bytes)] }]
        }
        let s = f.speed
        var speedRows: [[String: String]] = [
            ["label": "plain decode", "mid": Fmt.tps(s.plainTokensPerSecond.mid), "low": Fmt.tps(s.plainTokensPerSecond.low), "high": Fmt.tps(s.plainTokensPerSecond.high), "note": ""],
        ]
        if let d = s.draftTokensPerSecond {
            speedRows.append(["label": "draft alone", "mid": Fmt.tps(d.mid), "low": Fmt.tps(d.low), "high": Fmt.tps(d.high),
                              "note": s.costRatio.map { String(format: "cost ratio c = %.3f", $0) } ?? ""])
        }
        if let sp = s.speculativeTokensPerSecond, let g = s.gamma {
            let note = (s.alpha.map { String(format: "α = %.2f (%.2f–%.2f)", $0.alpha, $0.low, $0.high) } ?? "") +
                (s.expectedTokensPerStep.map { String(format: ", %.2f tokens/step", $0) } ?? "")
            speedRows.append(["label": "speculative (γ=\(g))", "mid": Fmt.tps(sp.mid), "low": Fmt.tps(sp.low), "high": Fmt.tps(sp.high), "note": note])
        }
        if let up = s.speedup {
            speedRows.append(["label": "speedup ×", "mid": Fmt.ratio(up.mid), "low": Fmt.ratio(up.low), "high": Fmt.ratio(up.high), "note": ""])
        }
        return [
            "verdict": f.verdict, "kindClass": kindClass(f.kind), "machine": f.machine,
            "models": [model("target", f.target)] + (f.draft.map { [model("draft", $0)] } ?? []),
            "memoryChart": SVGCharts.memory(f), "devices": devices, "nCtx": f.config.nCtx, "position": s.position,
            "fits": f.kind != .doesNotFit, "speedRows": speedRows, "gammaChart": SVGCharts.gamma(f) ?? "", "basis": s.basis,
            "compat": f.compatibility.map { "\($0.runtime.rawValue): \($0.compatible ? "compatible" : "rejected — " + $0.reasons.joined(separator: "; "))" },
            "commands": [f.commands.llamaServer] + (f.commands.vllm.map { [$0] } ?? []), "advice": f.advice,
        ]
    }

    // MARK: Compare

    static let compareTemplate = template("""
    <div class="scroll"><table>
    <tr><th>card</th><th class="num">VRAM GiB</th><th class="num">bandwidth GB/s</th><th class="num">FP16 TFLOPS</th><th class="num">board W</th><th>variant</th></tr>
    {{#cards}}<tr><td>{{name}}</td><td class="num">{{vram}}</td><td class="num">{{bw}}</td><td class="num">{{fp16}}</td><td class="num">{{power}}</td><td>{{variant}}</td></tr>{{/cards}}
    </table></div>
    <p class="big">Overall: <strong>{{overall}}</strong> <span class="muted">(wins: {{wins}})</span></p>
    {{{chart}}}
    {{#rows}}
    <h3>{{pair}} — winner: {{winner}}</h3>
    <div class="scroll"><table>
    <tr><th>card</th><th>placement</th><th class="num">plain tok/s</th><th class="num">speculative tok/s</th><th class="num">γ</th><th class="num">needs GiB</th>{{#anyFix}}<th>what would help</th>{{/anyFix}}</tr>
    {{#cells}}<tr{{#win}} class="win"{{/win}}><td>{{card}}</td><td>{{kind}}</td><td class="num">{{plain}}</td><td class="num">{{spec}}</td><td class="num">{{gamma}}</td><td class="num">{{needed}}</td>{{#anyFix}}<td class="muted">{{fix}}</td>{{/anyFix}}</tr>{{/cells}}
    </table></div>
    {{/rows}}
    """)

    static func compareContext(_ c: Comparison) -> [String: Any] {
        [
            "cards": c.cards.map { g in
                ["name": g.id == g.name ? g.id : "\(g.name) (\(g.id))", "vram": Fmt.gib(g.vramBytes), "bw": String(format: "%.0f", g.bandwidthGBps),
                 "fp16": g.fp16TFLOPS.map { String(format: "%.1f", $0) } ?? "–", "power": g.boardPowerW.map { String(format: "%.0f", $0) } ?? "–",
                 "variant": g.variant.rawValue + (g.unifiedMemory ? " (unified)" : "")]
            },
            "overall": c.overallWinner ?? "none runs every pair",
            "wins": c.cards.map { "\($0.id) \(c.winsPerCard[$0.id] ?? 0)" }.joined(separator: ", "),
            "chart": SVGCharts.comparison(c),
            "rows": c.rows.map { r in
                ["pair": r.targetID + (r.draftID.map { " + draft \($0)" } ?? ""), "winner": r.winner ?? "none",
                 "anyFix": r.cards.contains { $0.fix != nil },
                 "cells": r.cards.map { cr in
                     ["card": cr.cardID, "kind": cr.kind.rawValue, "win": cr.cardID == r.winner,
                      "plain": cr.kind == .doesNotFit ? "–" : Fmt.tps(cr.plainTokensPerSecond),
                      "spec": cr.kind == .doesNotFit ? "–" : cr.speculativeTokensPerSecond.map(Fmt.tps) ?? "–",
                      "gamma": cr.gamma.map(String.init) ?? "–", "needed": Fmt.gib(cr.neededBytes), "fix": cr.fix ?? ""] as [String: Any]
                 }] as [String: Any]
            },
        ]
    }

    // MARK: Choose a GPU

    static let chooseTemplate = template("""
    <p class="big">{{headline}}</p>
    {{#empty(choices)}}<p>None in the catalog: try a smaller quant, a shorter context, fewer tok/s or another vendor.</p>{{/empty(choices)}}
    {{^empty(choices)}}
    <div class="scroll"><table>
    <tr><th class="num">#</th><th>cards</th><th class="num">price</th><th>price basis</th><th>placement</th><th class="num">headroom GiB</th><th class="num">plain tok/s</th><th class="num">speculative tok/s</th></tr>
    {{#choices}}<tr><td class="num">{{rank}}</td><td><a href="/catalog?name={{id}}">{{count}}× {{id}}</a></td><td class="num">{{price}}</td><td class="muted">{{basis}}</td><td>{{kind}}</td><td class="num">{{headroom}}</td><td class="num">{{plain}}</td><td class="num">{{spec}}</td></tr>{{/choices}}
    </table></div>
    {{/empty(choices)}}
    {{#more}}<p class="muted">{{more}} more: raise “How many”.</p>{{/more}}
    """)

    static func chooseContext(_ l: GPUChoiceList, top: Int) -> [String: Any] {
        var ctx: [String: Any] = [
            "headline": "Cards that hold \(l.target)\(l.draft.map { " + draft \($0)" } ?? "") whole at n_ctx \(l.nCtx): \(l.choices.count) shown",
            "choices": l.choices.enumerated().map { i, c in
                ["rank": i + 1, "id": c.gpuID, "count": c.count, "price": c.totalPrice.map { String(format: "$%.0f", $0) } ?? "–",
                 "basis": c.price.map { "\($0.kind), \($0.date)" } ?? "no price known", "kind": c.kind.rawValue, "headroom": Fmt.gib(c.headroomBytes),
                 "plain": Fmt.tps(c.plainTokensPerSecond), "spec": c.speculativeTokensPerSecond.map(Fmt.tps) ?? "–"] as [String: Any]
            },
        ]
        if l.choices.count >= top { ctx["more"] = "There may be" }
        return ctx
    }

    // MARK: Cost

    static let costTemplate = template("""
    <p class="big">Local: <strong>{{local}}</strong> per million tokens{{#noHardware}} (electricity only: no hardware price){{/noHardware}} · cloud: <strong>{{cloud}}</strong></p>
    <p class="big">{{breakEven}}</p>
    <h2>Assumptions</h2>
    <table>
    {{#rows}}<tr><th>{{key}}</th><td>{{value}}</td></tr>{{/rows}}
    </table>
    """)

    static func costContext(_ e: CostEstimate) -> [String: Any] {
        let a = e.assumptions
        let breakEven: String
        if let v = e.breakEvenTokensPerDay {
            breakEven = String(format: "Break-even: %.1f million tokens a day", v / 1e6) +
                (e.breakEvenReachable == true ? "" : " — more than this hardware makes in 24 h, so the cloud stays cheaper")
        } else if a.cloudPricePerMTok != nil {
            breakEven = "Break-even: never — electricity alone costs more per token than the cloud price"
        } else {
            breakEven = "Break-even: no cloud price to compare with"
        }
        var ctx: [String: Any] = [
            "local": String(format: "$%.2f", e.localPerMTok), "cloud": a.cloudPricePerMTok.map { String(format: "$%.2f per million tokens", $0) } ?? "no price",
            "breakEven": breakEven,
            "rows": [
                ["key": "speed", "value": String(format: "%.1f tok/s (%@)", a.tokensPerSecond, a.tokensPerSecondBasis)],
                ["key": "use", "value": String(format: "%.1f h/day → %.2f million tokens/day", a.hoursPerDay, e.tokensPerDay / 1e6)],
                ["key": "hardware", "value": (a.hardwarePrice.map { String(format: "$%.0f over %.1f years = $%.2f/day", $0, a.lifetimeYears, e.hardwarePerDay ?? 0) } ?? "unknown") + " — \(a.hardwarePriceBasis)"],
                ["key": "power", "value": String(format: "GPU %.0f W (board power) + CPU %.0f W at $%.3f/kWh = $%.2f/day, $%.3f per million tokens", a.gpuWatts, a.cpuWatts, a.kWhPrice, e.energyPerDay, e.energyPerMTok)],
                ["key": "cloud", "value": a.cloudPriceBasis],
            ],
        ]
        if a.hardwarePrice == nil { ctx["noHardware"] = true }
        return ctx
    }

    // MARK: Recommend

    static let recommendTemplate = template("""
    <p class="muted">{{machine}} — {{evaluated}} combinations evaluated.</p>
    {{#empty(ranked)}}<p>Nothing fits at this speed.{{^empty(closest)}} Closest:{{/empty(closest)}}</p>{{/empty(ranked)}}
    {{#tables}}
    <div class="scroll"><table>
    <tr><th class="num">#</th><th>tier</th><th>target</th><th>quant</th><th>draft</th><th class="num">tok/s</th><th class="num">plain</th><th>placement</th><th class="num">needs GiB</th><th></th></tr>
    {{#rows}}<tr><td class="num">{{rank}}</td><td>{{tier}}</td><td>{{target}}</td><td>{{quant}}</td><td>{{draft}}</td><td class="num">{{tps}}</td><td class="num">{{plain}}</td><td>{{kind}}</td><td class="num">{{needed}}</td><td><a href="{{fit}}">verdict</a></td></tr>{{/rows}}
    </table></div>
    {{/tables}}
    """)

    static func recommendContext(_ l: RecommendationList, inputs: RecommendInputs) -> [String: Any] {
        func rows(_ rs: [Recommendation]) -> [[String: Any]] {
            rs.map { r in
                // The verdict of this row: the same target, quant, draft, cards, context and task.
                var b = QueryBuilder()
                b.add("target", r.targetID)
                b.add("draft", r.draftID)
                b.add("gpu", inputs.gpus)
                b.add("quant", r.quant)
                b.add("draft-quant", r.draftID == nil ? nil : r.draftQuant)
                if inputs.ctx != RunInputs().ctx { b.add("ctx", String(inputs.ctx)) }
                if inputs.task != RunInputs().task { b.add("task", inputs.task) }
                return ["rank": r.rank, "tier": r.tier, "target": r.targetID, "quant": r.quant, "draft": r.draftID ?? "–",
                        "tps": Fmt.tps(r.tokensPerSecond), "plain": Fmt.tps(r.plainTokensPerSecond), "kind": r.kind.rawValue,
                        "needed": Fmt.gib(r.neededBytes), "fit": "/fit?" + b.string]
            }
        }
        let shown = l.ranked.isEmpty ? l.closest : l.ranked
        return ["machine": l.machine, "evaluated": l.evaluated, "ranked": l.ranked, "closest": l.closest,
                "tables": shown.isEmpty ? [] : [["rows": rows(shown)]]]
    }

    // MARK: Catalog

    static let catalogTemplate = template("""
    {{#heading}}<h2>{{heading}}</h2>{{/heading}}
    {{#list}}
    <div class="scroll"><table>
    <tr>{{#columns}}<th>{{.}}</th>{{/columns}}</tr>
    {{#rows}}<tr>{{#cells}}<td>{{#link}}<a href="{{link}}">{{text}}</a>{{/link}}{{^link}}{{text}}{{/link}}</td>{{/cells}}</tr>{{/rows}}
    </table></div>
    <p class="muted">{{count}} rows</p>
    {{/list}}
    {{#row}}
    <div class="scroll"><table>
    {{#fields}}<tr><th>{{key}}</th><td>{{value}}</td></tr>{{/fields}}
    </table></div>
    {{/row}}
    """)

    /// The columns `specfit catalog list` prints per table; the row page shows every column.
    static func columns(_ table: String) -> [String] {
        switch table {
        case "models": ["id", "architecture", "params_total_b", "n_layer", "n_ctx_train", "tokenizer_id"]
        case "gpus": ["id", "name", "vram_mib", "bandwidth_gbps", "variant", "backend"]
        case "quant_types": ["id", "name", "block_size", "bytes_per_block", "status"]
        case "ftypes": ["id", "name", "default_type"]
        case "tokenizers": ["id", "vocab_type", "n_tokens", "members"]
        case "acceptance": ["id", "relation", "task", "metric", "value"]
        case "pairs": ["id", "target", "draft", "relation", "tasks"]
        case "prices": ["id", "gpu_id", "price", "currency", "kind", "date"]
        case "cloud_prices": ["id", "provider", "model_id", "output_per_mtok", "date"]
        case "errors": ["id", "symptom", "check"]
        case "search": ["table", "id", "name"]
        default: ["id", "kind", "subject", "value", "unit", "measured_at"]
        }
    }

    static func catalogContext(_ r: CatalogResult) -> [String: Any] {
        func link(_ row: [String: String], _ col: String, table: String?) -> String? {
            guard col == "id", let id = row["id"], !id.isEmpty, table != "measurements" else { return nil }
            return "/catalog?name=" + QueryBuilder.encode(id)
        }
        func list(_ rows: [[String: String]], table: String) -> [String: Any] {
            let cols = columns(table)
            return ["columns": cols, "count": rows.count,
                    "rows": rows.map { row in
                        ["cells": cols.map { c -> [String: String] in
                            var cell = ["text": String((row[c] ?? "").prefix(120))]
                            if let l = link(row, c, table: table == "search" ? row["table"] : table) { cell["link"] = l }
                            return cell
                        }]
                    }]
        }
        switch r {
        case .rows(let table, let rows): return ["heading": "Table \(table)", "list": list(rows, table: table)]
        case .hits(let hits): return ["heading": "\(hits.count) matching rows", "list": list(hits, table: "search")]
        case .row(let row):
            return ["heading": "\(row["table"] ?? "row"): \(row["id"] ?? "")",
                    "row": ["fields": row.keys.sorted().filter { $0 != "table" }.map { ["key": $0, "value": row[$0] ?? ""] }]]
        }
    }
}

/// Number formats: the same roundings as the HTML and Markdown reports.
enum Fmt {
    static func gib(_ b: Int64) -> String { String(format: "%.2f", SpecFitCore.gib(b)) }
    static func tps(_ x: Double) -> String { String(format: "%.1f", x) }
    static func ratio(_ x: Double) -> String { String(format: "%.2f", x) }
}
