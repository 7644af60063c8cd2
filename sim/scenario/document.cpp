#include "sim/scenario/document.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace faultline::sim {

std::string pointer_append(const std::string& pointer, std::string_view token) {
  std::string out = pointer + "/";
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string pointer_append(const std::string& pointer, size_t index) { return pointer + "/" + std::to_string(index); }

int Document::line_of(const std::string& pointer) const {
  std::string p = pointer;
  for (;;) {
    auto it = lines.find(p);
    if (it != lines.end()) return it->second;
    if (p.empty()) return 0;
    p.erase(p.rfind('/'));
  }
}

InputError Document::error(const std::string& pointer, const std::string& message) const {
  std::string p = pointer;
  for (;;) {
    auto it = origins.find(p);
    if (it != origins.end()) return InputError(file, pointer, line_of(pointer), message + " (set by " + it->second + ")");
    if (p.empty()) break;
    p.erase(p.rfind('/'));
  }
  return InputError(file, pointer, line_of(pointer), message);
}

namespace {

// ---- JSON: nlohmann parses and reports syntax errors; a small scanner then maps pointers to
// lines and finds duplicate keys (nlohmann keeps the last one silently).
class JsonLineScanner {
 public:
  JsonLineScanner(std::string_view text, Document& doc) : t_(text), doc_(doc) {}
  void run() {
    skip_ws();
    value("");
  }

 private:
  void skip_ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) {
      if (t_[i_] == '\n') ++line_;
      ++i_;
    }
  }
  std::string string_token() {
    std::string out;
    ++i_;  // opening quote
    while (i_ < t_.size() && t_[i_] != '"') {
      if (t_[i_] == '\\' && i_ + 1 < t_.size()) {
        const char e = t_[i_ + 1];
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'u': {
            // Keys with \u escapes are rare; decode the BMP code point as UTF-8.
            unsigned cp = static_cast<unsigned>(std::stoul(std::string(t_.substr(i_ + 2, 4)), nullptr, 16));
            if (cp < 0x80) {
              out += static_cast<char>(cp);
            } else if (cp < 0x800) {
              out += static_cast<char>(0xC0 | (cp >> 6));
              out += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
              out += static_cast<char>(0xE0 | (cp >> 12));
              out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
              out += static_cast<char>(0x80 | (cp & 0x3F));
            }
            i_ += 4;
            break;
          }
          default: out += e;
        }
        i_ += 2;
      } else {
        out += t_[i_++];
      }
    }
    ++i_;  // closing quote
    return out;
  }
  void value(const std::string& ptr) {
    doc_.lines.emplace(ptr, line_);
    if (i_ >= t_.size()) return;
    const char c = t_[i_];
    if (c == '{') {
      ++i_;
      std::set<std::string> seen;
      skip_ws();
      while (i_ < t_.size() && t_[i_] != '}') {
        const int key_line = line_;
        std::string key = string_token();
        const std::string child = pointer_append(ptr, key);
        if (!seen.insert(key).second)
          throw InputError(doc_.file, child, key_line, "the key \"" + key + "\" appears twice in this object");
        doc_.lines.emplace(child, key_line);
        skip_ws();
        ++i_;  // ':'
        skip_ws();
        value(child);
        skip_ws();
        if (i_ < t_.size() && t_[i_] == ',') ++i_;
        skip_ws();
      }
      ++i_;
    } else if (c == '[') {
      ++i_;
      size_t n = 0;
      skip_ws();
      while (i_ < t_.size() && t_[i_] != ']') {
        value(pointer_append(ptr, n++));
        skip_ws();
        if (i_ < t_.size() && t_[i_] == ',') ++i_;
        skip_ws();
      }
      ++i_;
    } else if (c == '"') {
      string_token();
    } else {
      while (i_ < t_.size() && std::strchr(",]} \t\r\n", t_[i_]) == nullptr) ++i_;
    }
  }

  std::string_view t_;
  Document& doc_;
  size_t i_ = 0;
  int line_ = 1;
};

void parse_json(std::string_view text, Document& doc) {
  try {
    doc.root = Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based; count the lines up to it.
    int line = 1;
    const size_t upto = std::min<size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    for (size_t k = 0; k < upto; ++k)
      if (text[k] == '\n') ++line;
    std::string msg = e.what();
    // nlohmann's text starts with "[json.exception.parse_error.101] parse error at line L, column C: ".
    if (auto p = msg.find(": "); p != std::string::npos && msg.rfind("[json.exception", 0) == 0) msg = msg.substr(p + 2);
    throw InputError(doc.file, "", line, "JSON syntax error: " + msg);
  } catch (const nlohmann::json::exception& e) {
    // out_of_range 406: a number literal past double's range; nlohmann gives no position.
    std::string msg = e.what();
    if (auto p = msg.find("] "); p != std::string::npos && msg.rfind("[json.exception", 0) == 0) msg = msg.substr(p + 2);
    throw InputError(doc.file, "", 0, "JSON value out of range: " + msg);
  }
  JsonLineScanner(text, doc).run();
}

// ---- YAML: converted to JSON with YAML 1.2 core-schema scalars; quoted scalars stay strings.
Json yaml_scalar(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return s;  // quoted: always a string
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  // std::regex recurses per character: a very long plain scalar would exhaust the stack, and no
  // number is written with more than a few hundred characters.
  if (s.size() > 256) return s;
  static const std::regex int_re("[-+]?[0-9]+");
  static const std::regex float_re("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (std::regex_match(s, int_re)) {
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno == 0) return static_cast<int64_t>(v);
    return std::strtod(s.c_str(), nullptr);
  }
  if (std::regex_match(s, float_re)) return std::strtod(s.c_str(), nullptr);
  if (s == ".inf" || s == ".Inf" || s == "+.inf") return std::numeric_limits<double>::infinity();
  if (s == "-.inf" || s == "-.Inf") return -std::numeric_limits<double>::infinity();
  return s;
}

Json yaml_to_json(const YAML::Node& n, const std::string& ptr, Document* doc) {
  if (doc != nullptr) doc->lines.emplace(ptr, n.Mark().line + 1);
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return yaml_scalar(n);
    case YAML::NodeType::Sequence: {
      Json arr = Json::array();
      size_t i = 0;
      for (const auto& item : n) {
        arr.push_back(yaml_to_json(item, pointer_append(ptr, i), doc));
        ++i;
      }
      return arr;
    }
    case YAML::NodeType::Map: {
      Json obj = Json::object();
      for (const auto& kv : n) {
        if (!kv.first.IsScalar())
          throw InputError(doc ? doc->file : "", ptr, kv.first.Mark().line + 1, "a mapping key must be a plain scalar");
        const std::string key = kv.first.Scalar();
        const std::string child = pointer_append(ptr, key);
        if (obj.contains(key))
          throw InputError(doc ? doc->file : "", child, kv.first.Mark().line + 1,
                           "the key \"" + key + "\" appears twice in this mapping");
        if (doc != nullptr) doc->lines.emplace(child, kv.first.Mark().line + 1);
        obj[key] = yaml_to_json(kv.second, child, doc);
      }
      return obj;
    }
  }
  return nullptr;
}

void parse_yaml(std::string_view text, Document& doc) {
  try {
    YAML::Node root = YAML::Load(std::string(text));
    doc.root = yaml_to_json(root, "", &doc);
  } catch (const YAML::Exception& e) {
    throw InputError(doc.file, "", e.mark.line >= 0 ? e.mark.line + 1 : 0, "YAML syntax error: " + e.msg);
  }
}

bool looks_like_json(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' || c == '[';
  }
  return false;
}

}  // namespace

Document parse_document(std::string_view text, const std::string& name, DocumentFormat format) {
  Document doc;
  doc.file = name;
  if (format == DocumentFormat::automatic) format = looks_like_json(text) ? DocumentFormat::json : DocumentFormat::yaml;
  if (format == DocumentFormat::json)
    parse_json(text, doc);
  else
    parse_yaml(text, doc);
  return doc;
}

Document load_document(const std::string& path, DocumentFormat format) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", 0, std::string("cannot read the file: ") + std::strerror(errno));
  std::stringstream buf;
  buf << in.rdbuf();
  if (format == DocumentFormat::automatic) {
    auto ends_with = [&](std::string_view suffix) {
      return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends_with(".json")) format = DocumentFormat::json;
    if (ends_with(".yaml") || ends_with(".yml")) format = DocumentFormat::yaml;
  }
  return parse_document(buf.str(), path, format);
}

namespace {

// Builds each document of a YAML stream from the parser's events (no YAML::LoadAll: it loops
// for ever on some malformed input). Scalars are typed as yaml_to_json types them; aliases
// are expanded within a budget, so that nested aliases cannot blow up.
class JsonEvents : public YAML::EventHandler {
 public:
  explicit JsonEvents(Document& doc) : doc_(doc) {}
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override { value(nullptr, m, anchor, true); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) throw InputError(doc_.file, "", m.line + 1, "YAML alias to an unknown anchor");
    count(it->second.second, m);
    value(it->second.first, m, 0, false);
  }
  void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor, const std::string& v) override {
    if (!stack_.empty() && stack_.back().is_map && !stack_.back().has_key) {
      stack_.back().key = v;
      stack_.back().has_key = true;
      stack_.back().key_line = m.line + 1;
      return;
    }
    YAML::Node n(v);
    n.SetTag(tag);
    value(yaml_scalar(n), m, anchor, false);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    open(Json::array(), m, anchor, false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    open(Json::object(), m, anchor, true);
  }
  void OnMapEnd() override { close(); }

  bool has_root = false;
  Json root;

 private:
  struct Frame {
    Json value;
    std::string ptr;
    bool is_map = false;
    bool has_key = false;
    std::string key;
    int key_line = 0;
    YAML::anchor_t anchor = 0;
    size_t nodes_at_open = 0;
  };
  static constexpr size_t kMaxNodes = 4'000'000;

  void count(size_t n, const YAML::Mark& m) {
    nodes_ += n;
    if (nodes_ > kMaxNodes)
      throw InputError(doc_.file, "", m.line + 1, "the YAML expands to more than 4000000 values (nested aliases?)");
  }
  // Where the next value goes; checks the key of a mapping.
  std::string place(const YAML::Mark& m) {
    if (stack_.empty()) return "";
    Frame& top = stack_.back();
    if (!top.is_map) return pointer_append(top.ptr, top.value.size());
    if (!top.has_key) throw InputError(doc_.file, top.ptr, m.line + 1, "a mapping key must be a plain scalar");
    const std::string child = pointer_append(top.ptr, top.key);
    if (top.value.contains(top.key))
      throw InputError(doc_.file, child, top.key_line, "the key \"" + top.key + "\" appears twice in this mapping");
    doc_.lines.emplace(child, top.key_line);
    return child;
  }
  void attach(Json v) {
    if (stack_.empty()) {
      root = std::move(v);
      has_root = true;
      return;
    }
    Frame& top = stack_.back();
    if (top.is_map) {
      top.value[top.key] = std::move(v);
      top.has_key = false;
    } else {
      top.value.push_back(std::move(v));
    }
  }
  void value(Json v, const YAML::Mark& m, YAML::anchor_t anchor, bool null_value) {
    if (null_value && !stack_.empty() && stack_.back().is_map && !stack_.back().has_key)
      throw InputError(doc_.file, stack_.back().ptr, m.line + 1, "a mapping key must be a plain scalar");
    count(1, m);
    const std::string ptr = place(m);
    doc_.lines.emplace(ptr, m.line + 1);
    if (anchor != 0) anchors_[anchor] = {v, 1};
    attach(std::move(v));
  }
  void open(Json empty, const YAML::Mark& m, YAML::anchor_t anchor, bool is_map) {
    count(1, m);
    Frame f;
    f.ptr = place(m);
    doc_.lines.emplace(f.ptr, m.line + 1);
    f.value = std::move(empty);
    f.is_map = is_map;
    f.anchor = anchor;
    f.nodes_at_open = nodes_;
    stack_.push_back(std::move(f));
  }
  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.anchor != 0) anchors_[f.anchor] = {f.value, nodes_ - f.nodes_at_open + 1};
    attach(std::move(f.value));
  }

  Document& doc_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, std::pair<Json, size_t>> anchors_;
  size_t nodes_ = 0;
};

}  // namespace

std::vector<Document> parse_documents(std::string_view text, const std::string& name, DocumentFormat format) {
  if (format == DocumentFormat::automatic) format = looks_like_json(text) ? DocumentFormat::json : DocumentFormat::yaml;
  if (format == DocumentFormat::json) return {parse_document(text, name, format)};
  std::vector<Document> out;
  try {
    std::stringstream in{std::string(text)};
    YAML::Parser parser(in);
    for (;;) {
      Document doc;
      doc.file = name;
      JsonEvents events(doc);
      if (!parser.HandleNextDocument(events)) break;
      doc.root = events.has_root ? std::move(events.root) : Json(nullptr);
      out.push_back(std::move(doc));
      // Each document takes at least one byte: more means the parser is not advancing.
      if (out.size() > text.size() + 1)
        throw InputError(name, "", 0, "YAML syntax error: the parser makes no progress (malformed stream)");
    }
  } catch (const YAML::Exception& e) {
    throw InputError(name, "", e.mark.line >= 0 ? e.mark.line + 1 : 0, "YAML syntax error: " + e.msg);
  }
  return out;
}

std::vector<Document> load_documents(const std::string& path, DocumentFormat format) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", 0, std::string("cannot read the file: ") + std::strerror(errno));
  std::stringstream buf;
  buf << in.rdbuf();
  if (format == DocumentFormat::automatic) {
    auto ends_with = [&](std::string_view suffix) {
      return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends_with(".json")) format = DocumentFormat::json;
    if (ends_with(".yaml") || ends_with(".yml")) format = DocumentFormat::yaml;
  }
  return parse_documents(buf.str(), path, format);
}

Json parse_yaml_value(std::string_view text) {
  try {
    return yaml_to_json(YAML::Load(std::string(text)), "", nullptr);
  } catch (const YAML::Exception&) {
    return std::string(text);  // not YAML: take the text as a string
  }
}

}  // namespace faultline::sim
