#include "uri.h"

#include <gtest/gtest.h>

#include <cstring>

namespace pki::signer::internal {
namespace {

void Fill(unsigned char* field, size_t n, const char* text) {
  std::memset(field, ' ', n);
  std::memcpy(field, text, std::strlen(text));
}

CK_TOKEN_INFO TokenInfo(const char* label, const char* serial) {
  CK_TOKEN_INFO info{};
  Fill(info.label, sizeof(info.label), label);
  Fill(info.manufacturerID, sizeof(info.manufacturerID), "SoftHSM project");
  Fill(info.model, sizeof(info.model), "SoftHSM v2");
  Fill(info.serialNumber, sizeof(info.serialNumber), serial);
  return info;
}

TEST(Pkcs11UriTest, ParsesEveryPathAttribute) {
  StatusOr<Pkcs11Uri> uri = Pkcs11Uri::Parse(
      "pkcs11:token=signer-a;manufacturer=SoftHSM%20project;serial=abc123;model=SoftHSM%20v2;"
      "library-manufacturer=SoftHSM;library-description=Implementation%20of%20PKCS11;"
      "library-version=2.6;slot-id=42;slot-description=d;slot-manufacturer=m;"
      "object=issuing-2026q4;id=%01%02%ff;type=private");
  ASSERT_TRUE(uri.ok()) << uri.status().message();
  EXPECT_EQ(*uri->token, "signer-a");
  EXPECT_EQ(*uri->manufacturer, "SoftHSM project");
  EXPECT_EQ(*uri->serial, "abc123");
  EXPECT_EQ(*uri->model, "SoftHSM v2");
  EXPECT_EQ(*uri->library_manufacturer, "SoftHSM");
  EXPECT_EQ(*uri->library_description, "Implementation of PKCS11");
  EXPECT_EQ(uri->library_version->first, 2);
  EXPECT_EQ(uri->library_version->second, 6);
  EXPECT_EQ(*uri->slot_id, 42u);
  EXPECT_EQ(*uri->object, "issuing-2026q4");
  EXPECT_EQ(*uri->id, std::string("\x01\x02\xff", 3));
  EXPECT_EQ(*uri->type, static_cast<CK_OBJECT_CLASS>(CKO_PRIVATE_KEY));
  EXPECT_TRUE(uri->HasObjectAttributes());
}

TEST(Pkcs11UriTest, TypesMapToClasses) {
  struct Case { const char* text; CK_OBJECT_CLASS cls; };
  for (Case c : {Case{"private", CKO_PRIVATE_KEY}, Case{"public", CKO_PUBLIC_KEY},
                 Case{"cert", CKO_CERTIFICATE}, Case{"secret-key", CKO_SECRET_KEY},
                 Case{"data", CKO_DATA}}) {
    StatusOr<Pkcs11Uri> uri = Pkcs11Uri::Parse(std::string("pkcs11:type=") + c.text);
    ASSERT_TRUE(uri.ok()) << c.text;
    EXPECT_EQ(*uri->type, c.cls);
  }
}

TEST(Pkcs11UriTest, RefusesSecretsAndNamesThem) {
  StatusOr<Pkcs11Uri> a = Pkcs11Uri::Parse("pkcs11:token=a;object=k?pin-value=1234");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(a.status().message().find("pin-value"), std::string_view::npos);
  EXPECT_EQ(a.status().message().find("1234"), std::string_view::npos);
  StatusOr<Pkcs11Uri> b = Pkcs11Uri::Parse("pkcs11:token=a;pin-value=1234");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("pin-value"), std::string_view::npos);
  EXPECT_FALSE(Pkcs11Uri::Parse("pkcs11:token=a?pin-source=file:/x").ok());
}

TEST(Pkcs11UriTest, ErrorsNameTheBadAttribute) {
  struct Case { const char* uri; const char* says; };
  for (Case c : {Case{"token=a", "pkcs11:"}, Case{"pkcs11:tokn=a", "tokn"},
                 Case{"pkcs11:token=a;token=b", "token"}, Case{"pkcs11:type=secret", "type"},
                 Case{"pkcs11:slot-id=12x", "slot-id"}, Case{"pkcs11:object=a%2", "object"},
                 Case{"pkcs11:object=a%zz", "object"}, Case{"pkcs11:library-version=1.999", "library-version"},
                 Case{"pkcs11:token", "token"}, Case{"pkcs11:token=a?frob=1", "frob"}}) {
    StatusOr<Pkcs11Uri> uri = Pkcs11Uri::Parse(c.uri);
    ASSERT_FALSE(uri.ok()) << c.uri;
    EXPECT_EQ(uri.status().code(), StatusCode::kInvalidArgument) << c.uri;
    EXPECT_NE(uri.status().message().find(c.says), std::string_view::npos)
        << c.uri << " -> " << uri.status().message();
  }
}

TEST(Pkcs11UriTest, VendorAttributesAreIgnoredAndEmptyUriMatchesAll) {
  StatusOr<Pkcs11Uri> uri = Pkcs11Uri::Parse("pkcs11:x-vendor=1");
  ASSERT_TRUE(uri.ok());
  EXPECT_FALSE(uri->HasObjectAttributes());
  StatusOr<Pkcs11Uri> all = Pkcs11Uri::Parse("pkcs11:");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->MatchesToken(TokenInfo("anything", "1")));
}

TEST(Pkcs11UriTest, MatchesTokenOnEveryGivenAttribute) {
  CK_TOKEN_INFO a = TokenInfo("signer-a", "0001");
  CK_TOKEN_INFO b = TokenInfo("signer-b", "0002");
  StatusOr<Pkcs11Uri> uri = Pkcs11Uri::Parse("pkcs11:token=signer-a;model=SoftHSM%20v2");
  ASSERT_TRUE(uri.ok());
  EXPECT_TRUE(uri->MatchesToken(a));
  EXPECT_FALSE(uri->MatchesToken(b));
  StatusOr<Pkcs11Uri> by_serial = Pkcs11Uri::Parse("pkcs11:serial=0002");
  ASSERT_TRUE(by_serial.ok());
  EXPECT_FALSE(by_serial->MatchesToken(a));
  EXPECT_TRUE(by_serial->MatchesToken(b));
  StatusOr<Pkcs11Uri> wrong = Pkcs11Uri::Parse("pkcs11:token=signer-a;manufacturer=Other");
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(wrong->MatchesToken(a));
}

TEST(Pkcs11UriTest, MatchesModuleAndSlot) {
  CK_INFO info{};
  Fill(info.manufacturerID, sizeof(info.manufacturerID), "SoftHSM");
  Fill(info.libraryDescription, sizeof(info.libraryDescription), "Implementation of PKCS11");
  info.libraryVersion.major = 2;
  info.libraryVersion.minor = 6;
  const char* path = "/usr/lib/softhsm/libsofthsm2.so";
  EXPECT_TRUE(Pkcs11Uri::Parse("pkcs11:library-version=2.6")->MatchesModule(info, path));
  EXPECT_FALSE(Pkcs11Uri::Parse("pkcs11:library-version=2.5")->MatchesModule(info, path));
  EXPECT_TRUE(Pkcs11Uri::Parse("pkcs11:library-manufacturer=SoftHSM")->MatchesModule(info, path));
  EXPECT_TRUE(Pkcs11Uri::Parse("pkcs11:?module-name=softhsm2")->MatchesModule(info, path));
  EXPECT_FALSE(Pkcs11Uri::Parse("pkcs11:?module-name=opensc-pkcs11")->MatchesModule(info, path));
  EXPECT_TRUE(Pkcs11Uri::Parse("pkcs11:?module-path=/usr/lib/softhsm/libsofthsm2.so")
                  ->MatchesModule(info, path));
  CK_SLOT_INFO slot{};
  Fill(slot.slotDescription, sizeof(slot.slotDescription), "SoftHSM slot ID 0x2a");
  Fill(slot.manufacturerID, sizeof(slot.manufacturerID), "SoftHSM project");
  EXPECT_TRUE(Pkcs11Uri::Parse("pkcs11:slot-id=42")->MatchesSlot(42, slot));
  EXPECT_FALSE(Pkcs11Uri::Parse("pkcs11:slot-id=43")->MatchesSlot(42, slot));
  EXPECT_TRUE(Pkcs11Uri::Parse("pkcs11:slot-description=SoftHSM%20slot%20ID%200x2a")
                  ->MatchesSlot(42, slot));
}

TEST(Pkcs11UriTest, ToStringRoundTripsWithPercentEncoding) {
  Pkcs11Uri uri;
  uri.token = "signer a;b";
  uri.object = "key/1";
  uri.id = std::string("\x00\xab", 2);
  uri.type = CKO_PRIVATE_KEY;
  std::string text = uri.ToString();
  EXPECT_EQ(text, "pkcs11:token=signer%20a%3Bb;object=key%2F1;id=%00%AB;type=private");
  StatusOr<Pkcs11Uri> back = Pkcs11Uri::Parse(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back->token, "signer a;b");
  EXPECT_EQ(*back->object, "key/1");
  EXPECT_EQ(*back->id, std::string("\x00\xab", 2));
  EXPECT_EQ(TokenUriOf(TokenInfo("t", "s1")),
            "pkcs11:model=SoftHSM%20v2;manufacturer=SoftHSM%20project;serial=s1;token=t");
}

// '&' is plain in a path value but separates query attributes: a query value
// holding one must come back encoded (found by pkcs11_uri_fuzz).
TEST(Pkcs11UriTest, QueryValuesEncodeTheAttributeSeparator) {
  Pkcs11Uri uri;
  uri.token = "R&D";
  uri.module_name = "soft&hsm";
  uri.module_path = "/opt/a&b/lib.so";
  const std::string text = uri.ToString();
  EXPECT_EQ(text, "pkcs11:token=R&D?module-name=soft%26hsm&module-path=%2Fopt%2Fa%26b%2Flib.so");
  StatusOr<Pkcs11Uri> back = Pkcs11Uri::Parse(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back->token, "R&D");
  EXPECT_EQ(*back->module_name, "soft&hsm");
  EXPECT_EQ(*back->module_path, "/opt/a&b/lib.so");
  EXPECT_EQ(back->ToString(), text);
}

}  // namespace
}  // namespace pki::signer::internal
