#include "tls_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace odte::feeds::tls {

namespace {

// The reason of OpenSSL's most recent error, and an empty queue afterwards.
std::string last_ssl_error(const char* fallback) {
  const unsigned long e = ERR_peek_last_error();
  const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
  std::string out = reason != nullptr ? reason : fallback;
  ERR_clear_error();
  return out;
}

// RFC 2253 form ("CN=localhost,O=odte tests"), at most 200 bytes: the peer chose this text.
std::string name_text(const X509_NAME* name) {
  if (name == nullptr) return "?";
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return "?";
  std::string out;
  if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
    char* data = nullptr;
    const long n = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data);  // BIO_get_mem_data
    if (n > 0 && data != nullptr) out.assign(data, static_cast<std::size_t>(n > 200 ? 200 : n));
  }
  BIO_free(bio);
  return out;
}

// "Nov 24 18:55:00 2026 GMT"
std::string time_text(const ASN1_TIME* t) {
  if (t == nullptr) return "?";
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return "?";
  std::string out = "?";
  if (ASN1_TIME_print(bio, t) == 1) {
    char* data = nullptr;
    const long n = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data);  // BIO_get_mem_data
    if (n > 0 && data != nullptr) out.assign(data, static_cast<std::size_t>(n > 64 ? 64 : n));
  }
  BIO_free(bio);
  return out;
}

bool issuer_unknown(int error) noexcept {
  switch (error) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string configure_client_context(SSL_CTX* ctx, const std::string& ca_file) {
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    return "cannot load the system CA store: " + last_ssl_error("unknown error");
  }
  if (ca_file.empty()) return {};
  // fopen first, for a plain errno reason ("No such file or directory", "Permission denied").
  if (std::FILE* f = std::fopen(ca_file.c_str(), "r"); f == nullptr) {
    return "ca_file '" + ca_file + "': " + std::strerror(errno);
  } else {
    std::fclose(f);
  }
  if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
    return "ca_file '" + ca_file + "': not a PEM bundle of CA certificates (" +
           last_ssl_error("no certificate found") + ")";
  }
  return {};
}

bool is_ip_literal(const std::string& host) noexcept {
  in6_addr a6{};
  in_addr a4{};
  return ::inet_pton(AF_INET, host.c_str(), &a4) == 1 || ::inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

std::string prepare_connection(SSL* ssl, const std::string& host) {
  if (is_ip_literal(host)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) != 1) {
      return "cannot check the certificate against address " + host + ": " + last_ssl_error("unknown error");
    }
    return {};
  }
  // SSL_set_tlsext_host_name without the macro's C cast.
  if (SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str())) != 1) {
    return "cannot set SNI " + host + ": " + last_ssl_error("unknown error");
  }
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
  if (SSL_set1_host(ssl, host.c_str()) != 1) {
    return "cannot check the certificate against host " + host + ": " + last_ssl_error("unknown error");
  }
  return {};
}

bool note(bool preverified, X509_STORE_CTX* ctx, VerifyFailure& out) noexcept {
  if (preverified || out.error != X509_V_OK) return preverified;
  try {
    out.error = X509_STORE_CTX_get_error(ctx);
    out.depth = X509_STORE_CTX_get_error_depth(ctx);
    if (const X509* cert = X509_STORE_CTX_get_current_cert(ctx); cert != nullptr) {
      out.subject = name_text(X509_get_subject_name(cert));
      out.issuer = name_text(X509_get_issuer_name(cert));
      if (out.error == X509_V_ERR_CERT_HAS_EXPIRED || out.error == X509_V_ERR_CERT_NOT_YET_VALID) {
        // Beside the dates, the reader can tell a stale certificate from a wrong local clock.
        out.validity = time_text(X509_get0_notBefore(cert)) + " to " + time_text(X509_get0_notAfter(cert));
      }
    }
  } catch (...) {  // std::bad_alloc: keep what was recorded; the decision is unchanged
  }
  return preverified;
}

std::string describe_failure(const VerifyFailure& f, const SSL* ssl, std::string_view host) {
  int error = f.error;
  if (error == X509_V_OK) error = static_cast<int>(SSL_get_verify_result(ssl));
  if (error == X509_V_OK) return {};
  std::string out = "certificate verification failed for ";
  out += host;
  out += ": ";
  out += X509_verify_cert_error_string(error);
  if (!f.subject.empty() || !f.issuer.empty()) {
    out += " (certificate '" + f.subject + "' issued by '" + f.issuer + "'";
    if (f.depth > 0) out += ", " + std::to_string(f.depth) + " up the chain";
    if (!f.validity.empty()) out += ", valid " + f.validity;
    out += ")";
  }
  if (issuer_unknown(error)) {
    out += "; if the issuer is a CA you trust (a TLS-intercepting proxy, say), add it with ca_file";
  }
  return out;
}

}  // namespace odte::feeds::tls
