#include "sim/importers/describe.hpp"

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

namespace faultline::sim::importers {

namespace {

struct Node {
  std::string key;
  std::string value;  // inline value
  bool has_value = false;
  int line = 0;
  std::vector<std::string> bare;  // lines without a key (list items, continuations)
  std::vector<std::unique_ptr<Node>> children;
};

std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  return s;
}

// "Container Records" → "containerRecords", "API Version" → "apiVersion".
std::string camel(const std::string& key) {
  if (key.find(' ') == std::string::npos) {
    if (key.empty() || key.find_first_of("./") != std::string::npos) return key;
    std::string k = key;
    bool all_upper = std::all_of(k.begin(), k.end(), [](char c) { return !(c >= 'a' && c <= 'z'); });
    if (all_upper) {
      for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      k[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(k[0])));
    }
    return k;
  }
  std::string out;
  bool first = true;
  std::string word;
  for (char c : key + " ") {
    if (c != ' ') {
      word += c;
      continue;
    }
    if (word.empty()) continue;
    if (first) {
      for (char& w : word) w = static_cast<char>(std::tolower(static_cast<unsigned char>(w)));
    } else {
      word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
    }
    out += word;
    word.clear();
    first = false;
  }
  return out;
}

Json scalar(const std::string& v) {
  if (v == "<none>" || v == "<unset>") return nullptr;
  if (!v.empty() && v.size() < 18 && std::all_of(v.begin() + (v[0] == '-' ? 1 : 0), v.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      v != "-")
    return static_cast<int64_t>(std::stoll(v));
  return v;
}

// Keys whose maps hold user data (label keys), kept as written.
const std::set<std::string> kVerbatim = {"labelSelectors", "labels", "annotations", "nodeSelectors", "annotationSelectors",
                                         "fieldSelectors", "pods"};
// Keys that are lists in the API even when describe shows one item.
const std::set<std::string> kLists = {"containerRecords", "events", "conditions", "targets", "probeStatus",
                                      "probeStatuses", "namespaces", "containerNames", "children", "templates",
                                      "externalTargets", "experiments", "env"};

Json convert(const Node& n, const std::string& ptr, Document& doc, bool verbatim);

// A node's children as an object, or as a list of objects when keys repeat (describe prints
// list items one after another, repeating their keys).
Json children_json(const Node& n, const std::string& ptr, Document& doc, bool verbatim, bool force_list) {
  std::vector<std::vector<const Node*>> items(1);
  std::set<std::string> seen;
  for (const auto& c : n.children) {
    if (seen.count(c->key)) {
      items.emplace_back();
      seen.clear();
    }
    seen.insert(c->key);
    items.back().push_back(c.get());
  }
  const bool list = items.size() > 1 || force_list;
  Json out = list ? Json::array() : Json::object();
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string ip = list ? pointer_append(ptr, i) : ptr;
    Json obj = Json::object();
    for (const Node* c : items[i]) {
      const std::string k = verbatim ? c->key : camel(c->key);
      const std::string cp = pointer_append(ip, k);
      doc.lines.emplace(cp, c->line);
      obj[k] = convert(*c, cp, doc, kVerbatim.count(k) > 0);
    }
    if (list) {
      doc.lines.emplace(ip, items[i].empty() ? n.line : items[i].front()->line);
      out.push_back(std::move(obj));
    } else {
      out = std::move(obj);
    }
  }
  return out;
}

Json convert(const Node& n, const std::string& ptr, Document& doc, bool verbatim) {
  const std::string k = camel(n.key);
  const bool list = kLists.count(k) > 0;
  if (!n.children.empty()) return children_json(n, ptr, doc, verbatim, list);
  if (!n.bare.empty()) {
    Json arr = Json::array();
    if (n.has_value && !n.value.empty()) arr.push_back(scalar(n.value));
    for (const std::string& b : n.bare) arr.push_back(scalar(b));
    return arr;
  }
  if (!n.has_value) return nullptr;
  Json v = scalar(n.value);
  if (list && !v.is_null()) return Json::array({v});
  return v;
}

}  // namespace

bool looks_like_describe(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    std::string_view l = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ')) l.remove_suffix(1);
    if (l.empty() || l.front() == '#') continue;
    if (l.rfind("Name:", 0) != 0 || l.size() < 6 || l[5] != ' ') return false;
    return text.find("\nKind:") != std::string_view::npos || text.find("\nAPI Version:") != std::string_view::npos;
  }
  return false;
}

Document parse_describe(std::string_view text, const std::string& file) {
  Document doc;
  doc.file = file;
  Node root;
  root.line = 1;
  std::vector<std::pair<int, Node*>> stack = {{-1, &root}};
  size_t pos = 0;
  int line = 0;
  bool in_events_table = false;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    std::string l(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line;
    l = rtrim(l);
    size_t indent = 0;
    while (indent < l.size() && l[indent] == ' ') ++indent;
    if (indent == l.size()) continue;
    std::string content = l.substr(indent);
    if (content.front() == '#') continue;
    // An inline comment (" #…") is dropped; '#' inside a value without a space before it stays.
    if (const size_t hash = content.find(" #"); hash != std::string::npos) content = rtrim(content.substr(0, hash));
    if (in_events_table) {
      if (indent == 0) in_events_table = false;
      else continue;  // the table has ages, not times: the records give the times
    }
    if (indent > 200) throw InputError(file, "", line, "indentation deeper than 200 columns: not describe output");
    while (stack.size() > 1 && stack.back().first >= static_cast<int>(indent)) stack.pop_back();
    Node* parent = stack.back().second;
    const size_t colon = content.find(':');
    const bool keyed = colon != std::string::npos && colon > 0 &&
                       (colon + 1 == content.size() || content[colon + 1] == ' ' || content[colon + 1] == '\t');
    if (!keyed) {
      // A list item or the continuation of the value above (labels print one per line).
      Node* target = parent;
      if (!parent->children.empty() && static_cast<int>(indent) > stack.back().first) target = parent;
      if (target == &root) throw InputError(file, "", line, "expected \"Key:  value\", got \"" + content.substr(0, 60) + "\"");
      target->bare.push_back(content);
      continue;
    }
    auto node = std::make_unique<Node>();
    node->key = content.substr(0, colon);
    node->line = line;
    std::string value = colon + 1 < content.size() ? content.substr(colon + 1) : "";
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    node->has_value = !value.empty();
    node->value = value;
    Node* raw = node.get();
    parent->children.push_back(std::move(node));
    if (indent == 0 && raw->key == "Events" && (value.empty() || value == "<none>")) {
      in_events_table = value.empty();
      raw->has_value = true;
      raw->value = value.empty() ? "(table of ages)" : "<none>";
      continue;
    }
    stack.emplace_back(static_cast<int>(indent), raw);
  }
  // Values on the key line followed by deeper bare lines continue the same key (Labels).
  doc.lines.emplace("", 1);
  Json j = children_json(root, "", doc, false, false);
  if (!j.is_object()) throw InputError(file, "", 1, "describe output repeats a top-level key: expected one object");
  // Name and Namespace head the output; the API has them under metadata.
  Json meta = j.contains("metadata") && j["metadata"].is_object() ? j["metadata"] : Json::object();
  for (const char* k : {"name", "namespace", "labels", "annotations"})
    if (j.contains(k)) {
      meta[k] = j[k];
      j.erase(k);
    }
  j["metadata"] = meta;
  if (j.contains("events") && j["events"].is_string()) j.erase("events");
  doc.root = std::move(j);
  return doc;
}

}  // namespace faultline::sim::importers
