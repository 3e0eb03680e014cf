#include "ceremony/transcript/transcript.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>

#include <cstdlib>
#include <string>

#include "ceremony/fingerprint/fingerprint.h"
#include "common/file.h"

namespace pki::ceremony {
namespace {

OsslPtr<EVP_PKEY> TestKey() { return OsslPtr<EVP_PKEY>(EVP_EC_gen("P-256")); }

class TranscriptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ceremony_transcript_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    media_ = tmpl;
    ASSERT_TRUE(MakePrivateDir(media_ + "/out").ok());
    ASSERT_TRUE(WriteFileAtomic(media_ + "/out/issuing.crt", AsBytes("certificate bytes")).ok());
    auto signer = EvpTranscriptSigner::Create(TestKey());
    ASSERT_TRUE(signer.ok());
    signer_ = std::move(*signer);
    options_.audit_public_key_der = signer_->PublicKeyDer();
    options_.media_dir = media_;
  }
  void TearDown() override {
    const int rc = std::system(("rm -rf '" + media_ + "'").c_str());
    EXPECT_EQ(rc, 0);
  }

  v1::TranscriptBody Body(uint64_t sequence, const std::string& previous) {
    v1::TranscriptBody b;
    b.set_ceremony_name("sign-intermediate");
    b.set_sequence(sequence);
    b.set_previous_transcript_sha256(previous);
    b.mutable_appliance()->set_device_id("sim-0001");
    b.mutable_before()->set_journal_sequence(10 * sequence);
    b.mutable_after()->set_journal_sequence(10 * sequence + 5);
    b.mutable_after()->set_journal_head(std::string(32, 'h'));
    b.set_administrator("Ann");
    b.add_custodians_present("Cid");
    b.add_witnesses_present("Wes");
    auto* s = b.add_steps();
    s->set_index(1);
    s->set_step_id("sign-execute");
    s->set_confirmed_by("Ann");
    s->add_share_indices(1);
    s->add_share_indices(3);
    auto* a = b.add_artifacts();
    a->set_path("out/issuing.crt");
    a->set_direction(v1::OUTPUT);
    a->set_sha256(Sha256(AsBytes("certificate bytes")));
    b.set_outcome(v1::COMPLETED);
    return b;
  }

  std::string media_;
  std::unique_ptr<EvpTranscriptSigner> signer_;
  VerifyOptions options_;
};

TEST_F(TranscriptTest, SealedTranscriptVerifiesAndRoundTrips) {
  auto t = Seal(Body(1, ""), *signer_);
  ASSERT_TRUE(t.ok());
  std::string file;
  ASSERT_TRUE(t->SerializeToString(&file));
  auto back = ParseSignedTranscript(file);
  ASSERT_TRUE(back.ok());
  Status s = Verify(*back, options_);
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST_F(TranscriptTest, AnyBodyEditFailsTheSignature) {
  auto t = Seal(Body(1, ""), *signer_);
  ASSERT_TRUE(t.ok());
  // Flip every byte of the body in turn (a sample, to keep it quick).
  for (size_t i = 0; i < t->body().size(); i += 7) {
    v1::SignedTranscript edited = *t;
    (*edited.mutable_body())[i] = static_cast<char>(edited.body()[i] ^ 0x01);
    Status s = Verify(edited, options_);
    ASSERT_FALSE(s.ok()) << "byte " << i;
    EXPECT_TRUE(s.code() == StatusCode::kUnauthenticated || s.code() == StatusCode::kInvalidArgument)
        << s.message();
  }
  // A re-encoded, edited body: decodes fine, signature names itself.
  v1::TranscriptBody body;
  ASSERT_TRUE(body.ParseFromString(t->body()));
  body.mutable_steps(0)->set_confirmed_by("Mallory");
  v1::SignedTranscript edited = *t;
  ASSERT_TRUE(body.SerializeToString(edited.mutable_body()));
  Status s = Verify(edited, options_);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(s.message().find("signature"), std::string_view::npos) << s.message();
}

TEST_F(TranscriptTest, OtherKeyIsRejected) {
  auto other = EvpTranscriptSigner::Create(TestKey());
  ASSERT_TRUE(other.ok());
  auto t = Seal(Body(1, ""), **other);
  ASSERT_TRUE(t.ok());
  Status s = Verify(*t, options_);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(s.message().find("audit_public_key"), std::string_view::npos) << s.message();
  // Swapping in the pinned key without re-signing fails the signature.
  t->set_audit_public_key(options_.audit_public_key_der);
  s = Verify(*t, options_);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(s.message().find("signature"), std::string_view::npos) << s.message();
}

TEST_F(TranscriptTest, ChainToPreviousTranscript) {
  auto first = Seal(Body(1, ""), *signer_);
  ASSERT_TRUE(first.ok());
  auto second = Seal(Body(2, TranscriptHash(*first)), *signer_);
  ASSERT_TRUE(second.ok());
  options_.previous = *first;
  Status s = Verify(*second, options_);
  EXPECT_TRUE(s.ok()) << s.message();

  auto wrong_hash = Seal(Body(2, std::string(32, 'x')), *signer_);
  ASSERT_TRUE(wrong_hash.ok());
  s = Verify(*wrong_hash, options_);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("previous_transcript_sha256"), std::string_view::npos);

  auto skipped = Seal(Body(3, TranscriptHash(*first)), *signer_);
  ASSERT_TRUE(skipped.ok());
  s = Verify(*skipped, options_);
  EXPECT_NE(s.message().find("sequence: 3 does not follow"), std::string_view::npos) << s.message();
}

TEST_F(TranscriptTest, ArtifactEditAndJournalHeadAreNamed) {
  auto t = Seal(Body(1, ""), *signer_);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(WriteFileAtomic(media_ + "/out/issuing.crt", AsBytes("certificate bytez")).ok());
  Status s = Verify(*t, options_);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("out/issuing.crt: SHA-256 differs"), std::string_view::npos) << s.message();
  ASSERT_EQ(std::remove((media_ + "/out/issuing.crt").c_str()), 0);
  s = Verify(*t, options_);
  EXPECT_NE(s.message().find("out/issuing.crt: missing"), std::string_view::npos) << s.message();

  options_.media_dir.clear();
  options_.exported_journal_head = std::string(32, 'g');
  s = Verify(*t, options_);
  EXPECT_NE(s.message().find("after.journal_head"), std::string_view::npos) << s.message();
}

TEST_F(TranscriptTest, MarkdownHasStepsArtifactsAndSignatureLines) {
  auto t = Seal(Body(1, ""), *signer_);
  ASSERT_TRUE(t.ok());
  auto md = RenderMarkdown(*t);
  ASSERT_TRUE(md.ok());
  EXPECT_NE(md->find("# Ceremony transcript: sign-intermediate (#1)"), std::string::npos) << *md;
  EXPECT_NE(md->find("| 1 | sign-execute |"), std::string::npos) << *md;
  EXPECT_NE(md->find("shares: #1 #3"), std::string::npos) << *md;
  EXPECT_NE(md->find(HexString(AsBytes(Sha256(AsBytes("certificate bytes"))))), std::string::npos);
  EXPECT_NE(md->find("Custodian **Cid**: ____"), std::string::npos) << *md;
  EXPECT_NE(md->find("Witness **Wes**: ____"), std::string::npos) << *md;
}

}  // namespace
}  // namespace pki::ceremony

namespace pki::ceremony {
namespace {

// The transcript signature covers "pki-transcript-v1" || SHA-256(body)
// (docs/appliance-link.md, the appliance's SignTranscript): checked with the
// openssl CLI, and a signature over the bare digest is refused.
TEST_F(TranscriptTest, SignatureIsDomainSeparatedAsDocumented) {
  auto t = Seal(Body(1, ""), *signer_);
  ASSERT_TRUE(t.ok());
  const std::string digest = TranscriptHash(*t);
  ASSERT_TRUE(WriteFileAtomic(media_ + "/m", AsBytes("pki-transcript-v1" + digest)).ok());
  ASSERT_TRUE(WriteFileAtomic(media_ + "/sig", AsBytes(t->signature())).ok());
  ASSERT_TRUE(WriteFileAtomic(media_ + "/key.der", AsBytes(t->audit_public_key())).ok());
  const std::string d = "'" + media_ + "/";
  EXPECT_EQ(std::system(("openssl pkey -pubin -inform DER -in " + d + "key.der' -out " + d +
                         "key.pem' && openssl dgst -sha256 -verify " + d + "key.pem' -signature " + d +
                         "sig' " + d + "m' >/dev/null 2>&1").c_str()),
            0);
  // The same check over the bare digest (no label) fails.
  ASSERT_TRUE(WriteFileAtomic(media_ + "/bare", AsBytes(digest)).ok());
  EXPECT_NE(std::system(("openssl dgst -sha256 -verify " + d + "key.pem' -signature " + d + "sig' " + d +
                         "bare' >/dev/null 2>&1").c_str()),
            0);
  // A transcript signed over the bare digest (no label) does not verify.
  OsslPtr<EVP_PKEY> k = TestKey();
  ASSERT_EQ(EVP_PKEY_up_ref(k.get()), 1);
  auto same_key = EvpTranscriptSigner::Create(OsslPtr<EVP_PKEY>(k.get()));
  ASSERT_TRUE(same_key.ok());
  auto bare = Seal(Body(1, ""), **same_key);
  ASSERT_TRUE(bare.ok());
  VerifyOptions o = options_;
  o.audit_public_key_der = (*same_key)->PublicKeyDer();
  ASSERT_TRUE(Verify(*bare, o).ok());
  const std::string bare_digest = TranscriptHash(*bare);
  OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(k.get(), nullptr));
  ASSERT_EQ(EVP_PKEY_sign_init(ctx.get()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()), 1);
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(bare_digest.data());
  ASSERT_EQ(EVP_PKEY_sign(ctx.get(), nullptr, &len, in, bare_digest.size()), 1);
  std::string sig(len, '\0');
  ASSERT_EQ(EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, bare_digest.size()), 1);
  sig.resize(len);
  bare->set_signature(sig);
  EXPECT_EQ(Verify(*bare, o).code(), StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace pki::ceremony
