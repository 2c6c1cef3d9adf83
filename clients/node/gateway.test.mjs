// The official OpenAI Node SDK against Pitwall's gateway, as an application would use it.
// PITWALL_BASE_URL (…/v1), PITWALL_API_KEY, PITWALL_MODEL and PITWALL_EMBEDDING_MODEL come from
// OpenAiNodeSdkTest.
import { test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";

const client = new OpenAI({
  baseURL: process.env.PITWALL_BASE_URL,
  apiKey: process.env.PITWALL_API_KEY,
  maxRetries: 0,
});
const model = process.env.PITWALL_MODEL;
const embeddingModel = process.env.PITWALL_EMBEDDING_MODEL;
const messages = [{ role: "user", content: "Say something about GPUs." }];

test("chat completion, whole", async () => {
  const answer = await client.chat.completions.create({ model, messages, max_tokens: 16 });
  assert.equal(answer.object, "chat.completion");
  assert.equal(answer.choices[0].message.role, "assistant");
  assert.ok(answer.choices[0].message.content.length > 0);
  assert.ok(answer.usage.completion_tokens >= 1 && answer.usage.completion_tokens <= 16);
  assert.equal(answer.usage.total_tokens, answer.usage.prompt_tokens + answer.usage.completion_tokens);
});

test("chat completion, streamed with usage", async () => {
  const stream = await client.chat.completions.create({
    model, messages, max_tokens: 16, stream: true, stream_options: { include_usage: true },
  });
  let content = "";
  let usage = null;
  let finish = null;
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      content += choice.delta?.content ?? "";
      finish = choice.finish_reason ?? finish;
    }
    usage = chunk.usage ?? usage;
  }
  const whole = await client.chat.completions.create({ model, messages, max_tokens: 16 });
  assert.equal(content, whole.choices[0].message.content);
  assert.ok(finish === "stop" || finish === "length");
  assert.deepEqual(usage, whole.usage);
});

test("embeddings of several inputs", async () => {
  const answer = await client.embeddings.create({ model: embeddingModel, input: ["nccl", "xid 79"] });
  assert.equal(answer.data.length, 2);
  assert.deepEqual(answer.data.map((d) => d.index), [0, 1]);
  assert.ok(answer.data[0].embedding.length > 0);
});

test("an unknown model is a NotFoundError naming the model", async () => {
  await assert.rejects(
    client.chat.completions.create({ model: "no-such-model", messages }),
    (error) => {
      assert.ok(error instanceof OpenAI.NotFoundError);
      assert.equal(error.status, 404);
      assert.equal(error.code, "model_not_found");
      assert.equal(error.param, "model");
      return true;
    },
  );
});

test("a wrong key is an AuthenticationError", async () => {
  const stranger = new OpenAI({ baseURL: process.env.PITWALL_BASE_URL, apiKey: "pw-wrong", maxRetries: 0 });
  await assert.rejects(stranger.models.list(), OpenAI.AuthenticationError);
});
