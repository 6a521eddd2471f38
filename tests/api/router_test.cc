#include "api/router.h"

#include <gtest/gtest.h>

namespace tz::api {
namespace {

Router Make() {
  Router r;
  for (const char* p : {"/v1/blobs/{sha256}", "/v1/houses/{name}", "/v1/blocks/{n}",
                        "/portal/{*file}", "/v1/uploads/{upload}/parts/{n}"}) {
    Route rt;
    rt.method = "GET";
    rt.pattern = p;
    rt.handler = [](Request&, Respond) {};
    r.Add(rt);
  }
  return r;
}

TEST(RouterTest, TypedParameters) {
  Router r = Make();
  std::string d(64, 'a');
  auto m = r.Find("GET", "/v1/blobs/" + d);
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params[0], d);
  for (std::string bad : {std::string(64, 'A'), std::string(63, 'a'), std::string(".."),
                          std::string(62, 'a') + "%2f", std::string(61, 'a') + "%00"}) {
    m = r.Find("GET", "/v1/blobs/" + bad);
    EXPECT_EQ(m.route, nullptr);
    EXPECT_EQ(m.error.reason(), "request.bad_digest") << bad;
  }
  EXPECT_EQ(r.Find("GET", "/v1/houses/..").error.reason(), "request.bad_id");
  EXPECT_EQ(r.Find("GET", "/v1/blocks/007").error.reason(), "request.bad_number");
  EXPECT_EQ(r.Find("PUT", "/v1/blocks/7").error.reason(), "http.method_not_allowed");
  EXPECT_EQ(r.Find("GET", "/v1/none").error.reason(), "http.not_found");
  m = r.Find("GET", "/portal/js/app.js");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params[0], "js/app.js");
  m = r.Find("GET", "/v1/uploads/" + std::string(32, '0') + "/parts/3");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params[1], "3");
}

TEST(RouterTest, OpenApiListsEveryRoute) {
  Router r = Make();
  Json doc = r.OpenApi("t", "1");
  const Json* paths = doc.find("paths");
  ASSERT_NE(paths, nullptr);
  EXPECT_EQ(paths->size(), 5u);
  EXPECT_NE(paths->find("/portal/{file}"), nullptr);
  EXPECT_NE(paths->find("/v1/blobs/{sha256}")->find("get"), nullptr);
}

}  // namespace
}  // namespace tz::api
