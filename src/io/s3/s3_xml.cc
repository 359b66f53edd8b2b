// S3's XML answers through tinyxml2.
#include "s3/s3_xml.h"

#include <tinyxml2.h>

#include <charconv>

namespace quokka::s3 {
namespace {

using tinyxml2::XMLDocument;
using tinyxml2::XMLElement;

const XMLElement* Root(XMLDocument& doc, std::string_view body) {
  if (body.empty() || doc.Parse(body.data(), body.size()) != tinyxml2::XML_SUCCESS) return nullptr;
  return doc.RootElement();
}

// The text of `parent`'s child `name`, or nullptr when absent.
const char* ChildText(const XMLElement* parent, const char* name) {
  const XMLElement* child = parent->FirstChildElement(name);
  return child != nullptr ? child->GetText() : nullptr;
}

}  // namespace

Result<ListPage> ParseListPage(std::string_view body) {
  XMLDocument doc;
  const XMLElement* root = Root(doc, body);
  if (root == nullptr || std::string_view(root->Name()) != "ListBucketResult") {
    return Status::IOError("the answer is not a ListBucketResult");
  }
  ListPage page;
  for (const XMLElement* item = root->FirstChildElement("Contents"); item != nullptr;
       item = item->NextSiblingElement("Contents")) {
    const char* key = ChildText(item, "Key");
    const char* size = ChildText(item, "Size");
    if (key == nullptr || size == nullptr) return Status::IOError("an entry has no Key or Size");
    ObjectInfo info;
    info.key = key;
    std::string_view digits(size);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), info.size);
    if (error != std::errc() || end != digits.data() + digits.size() || info.size < 0) {
      return Status::IOError("bad Size '" + std::string(digits.substr(0, 40)) + "' of " + info.key);
    }
    if (const char* etag = ChildText(item, "ETag")) info.etag = etag;
    page.objects.push_back(std::move(info));
  }
  const char* truncated = ChildText(root, "IsTruncated");
  page.truncated = truncated != nullptr && std::string_view(truncated) == "true";
  if (page.truncated) {
    const char* next = ChildText(root, "NextContinuationToken");
    if (next == nullptr || *next == '\0') {
      return Status::IOError("truncated listing without a continuation token");
    }
    page.next_token = next;
  }
  return page;
}

Result<std::string> ParseUploadId(std::string_view body) {
  XMLDocument doc;
  const XMLElement* root = Root(doc, body);
  const char* id = root != nullptr ? ChildText(root, "UploadId") : nullptr;
  if (id == nullptr || *id == '\0') return Status::IOError("no UploadId in the answer");
  return std::string(id);
}

std::pair<std::string, std::string> ParseError(std::string_view body) {
  XMLDocument doc;
  const XMLElement* root = Root(doc, body);
  if (root == nullptr || std::string_view(root->Name()) != "Error") return {};
  const char* code = ChildText(root, "Code");
  const char* message = ChildText(root, "Message");
  return {code != nullptr ? code : "", message != nullptr ? message : ""};
}

}  // namespace quokka::s3
