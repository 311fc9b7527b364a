// The bifrost web chat. Plain script, no build step: served as is with a CSP that forbids inline code.
// Everything users and the model write is put into the page as text (textContent), never as HTML.
"use strict";

// sessionStorage: the token lives only as long as this tab, and never appears in a URL.
const TOKEN_KEY = "bifrost.token";
const $ = (id) => document.getElementById(id);

const state = { threadId: null, steps: new Map(), texts: new Map(), busy: false };

function token() { return sessionStorage.getItem(TOKEN_KEY); }

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

class Unauthorized extends Error {}

async function api(path, options = {}) {
  // Relative paths, so the page works under any mount prefix.
  const response = await fetch(path, {
    ...options,
    headers: { ...(options.headers || {}), Authorization: `Bearer ${token()}` },
    cache: "no-store",
    referrerPolicy: "no-referrer",
  });
  if (response.status === 401) throw new Unauthorized("the token was refused: sign in again");
  return response;
}

async function getJSON(path) {
  const response = await api(path);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error_description || `${path} answered ${response.status}`);
  return body;
}

function showSignedIn(signedIn) {
  $("sign-in").hidden = signedIn;
  $("chat").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
}

function setStatus(text) { $("status").textContent = text; }

async function signIn(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
  try {
    await loadAgents();
    await loadConversations();
    showSignedIn(true);
    $("sign-in-error").textContent = "";
  } catch (error) {
    signOut();
    $("sign-in-error").textContent = error.message;
  }
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  $("token").value = "";
  $("agent").replaceChildren();
  $("conversations").replaceChildren();
  $("messages").replaceChildren();
  setStatus("");
  state.threadId = null;
  showSignedIn(false);
}

async function loadAgents() {
  const { agents } = await getJSON("api/agents");
  const select = $("agent");
  select.replaceChildren(...agents.map((agent) => {
    const option = el("option", "", agent.name);
    option.value = agent.name;
    option.dataset.description = agent.description;
    return option;
  }));
  describeAgent();
}

function describeAgent() {
  const selected = $("agent").selectedOptions[0];
  $("agent-description").textContent = selected ? selected.dataset.description : "No agent is available to you.";
}

async function loadConversations() {
  const { conversations } = await getJSON("api/conversations");
  $("conversations").replaceChildren(...conversations.map((conversation) => {
    const button = el("button", conversation.id === state.threadId ? "current" : "",
      `${conversation.title || "Untitled"} · ${conversation.agent}`);
    button.type = "button";
    button.dataset.id = conversation.id;
    button.addEventListener("click", () => openConversation(conversation.id).catch(failed));
    const item = el("li");
    item.append(button);
    return item;
  }));
}

async function openConversation(id) {
  const conversation = await getJSON(`api/conversations/${encodeURIComponent(id)}`);
  state.threadId = conversation.id;
  selectAgent(conversation.agent);
  $("messages").replaceChildren();
  state.steps.clear();
  for (const message of conversation.messages) renderStored(message);
  await loadConversations();
}

function selectAgent(name) {
  for (const option of $("agent").options) if (option.value === name) option.selected = true;
  describeAgent();
}

function renderStored(message) {
  if (message.kind === "user" || message.kind === "assistant") addText(message.kind, message.text);
  else if (message.kind === "tool_call") {
    const step = toolStep(message.tool_call_id, message.name);
    step.args.textContent = JSON.stringify(message.arguments, null, 2);
    setExecution(step, message.execution_id);
    step.status.textContent = message.status;
  } else if (message.kind === "tool_result") toolResult(message.tool_call_id, message.text, message.is_error);
  else if (message.kind === "approval") {
    if (message.decision === "pending") {
      const args = JSON.stringify(message.arguments);
      askApproval(message.tool_call_id, `Run ${message.name} with ${args}?`);
    } else decided(message.tool_call_id, message.decision);
  }
}

// A call held for approval: the exact call, and Approve / Deny, which answer the run's interrupt.
function askApproval(id, message) {
  const step = stepFor(id);
  step.status.textContent = " waiting for your approval";
  step.item.classList.add("approval");
  const box = el("div", "approve");
  const approve = el("button", "approve-yes", "Approve");
  const deny = el("button", "approve-no", "Deny");
  for (const [button, approved] of [[approve, true], [deny, false]]) {
    button.type = "button";
    button.addEventListener("click", () => answer(id, approved).catch(failed));
  }
  box.append(el("span", "", message), approve, deny);
  step.approval = box;
  step.item.append(box);
}

function decided(id, decision) {
  const step = stepFor(id);
  if (step.approval) { step.approval.remove(); step.approval = null; }
  step.item.classList.remove("approval");
  step.status.textContent = ` ${decision}`;
}

async function answer(id, approved) {
  if (state.busy) return;
  const step = stepFor(id);
  if (step.approval) for (const button of step.approval.querySelectorAll("button")) button.disabled = true;
  await run({
    threadId: state.threadId,
    runId: randomId(),
    messages: [],
    resume: [{ interruptId: id, status: "resolved", payload: { approved } }],
  });
}

function addText(role, text) {
  const item = el("li", role, text);
  $("messages").append(item);
  item.scrollIntoView({ block: "end" });
  return item;
}

function toolStep(id, name) {
  const item = el("li", "tool");
  const title = el("strong", "", `Tool: ${name}`);
  const status = el("span", "muted", " running");
  const args = el("pre", "args");
  const execution = el("div", "execution");
  const result = el("pre", "result");
  item.append(title, status, args, execution, result);
  $("messages").append(item);
  const step = { item, status, args, execution, result, argsText: "" };
  state.steps.set(id, step);
  return step;
}

function stepFor(id) { return state.steps.get(id) || toolStep(id, "tool"); }

function setExecution(step, executionId) {
  if (!executionId) return;
  const path = `api/executions/${encodeURIComponent(executionId)}`;
  const link = el("a", "", executionId);
  link.href = path;
  link.rel = "noreferrer";
  const details = el("pre", "record");
  details.hidden = true;
  // A plain link would carry no token: fetch the record with it and show it in place.
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    if (!details.hidden) { details.hidden = true; return; }
    try {
      const record = await getJSON(path);
      details.textContent = JSON.stringify(record, null, 2);
    } catch (error) {
      details.textContent = String(error.message || error);
    }
    details.hidden = false;
  });
  step.execution.replaceChildren(el("span", "muted", "execution "), link, details);
}

function toolResult(id, content, isError) {
  const step = stepFor(id);
  step.result.textContent = content;
  if (isError) step.item.classList.add("error");
}

// One AG-UI event from /api/chat.
function onEvent(event) {
  switch (event.type) {
    case "RUN_STARTED": state.threadId = event.threadId; break;
    case "TEXT_MESSAGE_START": state.texts.set(event.messageId, addText(event.role || "assistant", "")); break;
    case "TEXT_MESSAGE_CONTENT": {
      const item = state.texts.get(event.messageId) || addText("assistant", "");
      state.texts.set(event.messageId, item);
      item.textContent += event.delta;
      break;
    }
    case "TOOL_CALL_START": toolStep(event.toolCallId, event.toolCallName); break;
    case "TOOL_CALL_ARGS": {
      const step = stepFor(event.toolCallId);
      step.argsText += event.delta;
      step.args.textContent = step.argsText;
      break;
    }
    case "TOOL_CALL_END": stepFor(event.toolCallId).status.textContent = " called"; break;
    case "TOOL_CALL_RESULT": toolResult(event.toolCallId, event.content, false); break;
    case "RUN_FINISHED":
      if (event.outcome && event.outcome.type === "interrupt") {
        for (const interrupt of event.outcome.interrupts) askApproval(interrupt.toolCallId || interrupt.id, interrupt.message);
      }
      break;
    case "CUSTOM":
      if (event.name === "bifrost.approval" && event.value) decided(event.value.toolCallId, event.value.decision);
      else if (event.name === "bifrost.tool_step" && event.value) {
        const step = stepFor(event.value.toolCallId);
        setExecution(step, event.value.executionId);
        step.status.textContent = event.value.isError ? " failed" : " done";
        if (event.value.isError) step.item.classList.add("error");
      } else if (event.name === "bifrost.usage" && event.value) {
        const limit = event.value.stepLimitReached ? " (step limit reached)" : "";
        setStatus(`${event.value.inputTokens} tokens in, ${event.value.outputTokens} out${limit}`);
      }
      break;
    case "RUN_ERROR": addText("error", `Error: ${event.message}`); break;
    default: break;
  }
}

// Server-sent events read from a fetch body: `data:` lines, an empty line ends an event.
async function readEvents(response, handle) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
    const lines = buffer.split(/\r?\n/);
    buffer = done ? "" : lines.pop();
    for (const line of lines) {
      if (line === "") {
        if (data.length) handle(JSON.parse(data.join("\n")));
        data = [];
      } else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (done) break;
  }
  if (data.length) handle(JSON.parse(data.join("\n")));
}

function randomId() { return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`; }

async function send(text) {
  const agent = $("agent").value;
  const body = {
    threadId: state.threadId,
    runId: randomId(),
    messages: [{ id: randomId(), role: "user", content: text }],
    forwardedProps: { agent },
  };
  addText("user", text);
  await stream(body);
}

async function stream(body) {
  const response = await api("api/chat", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    let reason = `the chat answered ${response.status}`;
    try { reason = (await response.json()).error_description || reason; } catch (_) { /* not JSON */ }
    throw new Error(reason);
  }
  state.texts.clear();
  await readEvents(response, onEvent);
}

// One request at a time: a message and an approval answer never race each other.
async function busy(work) {
  state.busy = true;
  $("send").disabled = true;
  setStatus("Thinking…");
  try {
    await work();  // the turn's usage, when the server sends it, stays in the status line
    if ($("status").textContent === "Thinking…") setStatus("");
    await loadConversations();
  } finally {
    state.busy = false;
    $("send").disabled = false;
  }
}

function run(body) { return busy(() => stream(body)); }

function failed(error) {
  if (error instanceof Unauthorized) {
    signOut();
    $("sign-in-error").textContent = error.message;
  } else setStatus(error.message);
}

document.addEventListener("DOMContentLoaded", () => {
  $("sign-in").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("token").value.trim();
    if (value) signIn(value);
  });
  $("sign-out").addEventListener("click", signOut);
  $("agent").addEventListener("change", describeAgent);
  $("new-conversation").addEventListener("click", () => {
    state.threadId = null;
    $("messages").replaceChildren();
    state.steps.clear();
    loadConversations().catch(failed);
  });
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("message").value.trim();
    if (!text || state.busy || !$("agent").value) return;
    $("message").value = "";
    await busy(() => send(text)).catch(failed);
  });
  if (token()) signIn(token());
  else showSignedIn(false);
});
