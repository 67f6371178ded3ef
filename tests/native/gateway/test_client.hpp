// A small blocking HTTP client for the gateway's tests: one keep-alive connection, JSON in and out.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace tower::testing {

struct Reply {
  int status = 0;
  std::string body;
  nlohmann::json json;  // discarded (is_discarded()) when the body is not JSON
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(const std::string& name) const {
    for (const auto& [key, value] : headers)
      if (key == name) return value;
    return {};
  }
};

class TestClient {
 public:
  explicit TestClient(unsigned short port) : port_(port), stream_(io_) {}

  Reply request(const std::string& method, const std::string& target, const nlohmann::json& body = nullptr,
                const std::string& token = {}) {
    return raw(method, target, body.is_null() ? std::string() : body.dump(), token);
  }
  Reply get(const std::string& target, const std::string& token = {}) { return request("GET", target, nullptr, token); }
  Reply post(const std::string& target, const nlohmann::json& body, const std::string& token = {}) {
    return request("POST", target, body, token);
  }

  Reply raw(const std::string& method, const std::string& target, const std::string& body, const std::string& token) {
    namespace http = boost::beast::http;
    for (int attempt = 0; attempt < 2; ++attempt) {
      boost::system::error_code error;
      if (!connected_) connect();
      http::request<http::string_body> request{http::string_to_verb(method), target, 11};
      request.set(http::field::host, "localhost");
      if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
      if (!body.empty()) request.set(http::field::content_type, "application/json");
      request.body() = body;
      request.prepare_payload();
      http::write(stream_, request, error);
      http::response<http::string_body> response;
      if (!error) http::read(stream_, buffer_, response, error);
      if (error) {
        connected_ = false;
        stream_.close();
        continue;  // the server closed an idle keep-alive connection: reconnect once
      }
      if (!response.keep_alive()) {
        connected_ = false;
        stream_.close();
      }
      Reply reply;
      reply.status = static_cast<int>(response.result_int());
      reply.body = response.body();
      reply.json = nlohmann::json::parse(reply.body, nullptr, false);
      for (const auto& field : response) reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      return reply;
    }
    return Reply{};
  }

 private:
  void connect() {
    boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), port_);
    stream_.connect(endpoint);
    connected_ = true;
  }
  unsigned short port_;
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace tower::testing
