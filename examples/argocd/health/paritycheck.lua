-- Argo CD health of a ParityCheck.
-- Runs in gopher-lua (Lua 5.1) with only the base and table libraries: no string.*.
-- Argo CD treats a custom resource without a health check as Healthy
-- (argoproj/argo-cd#15723). Follows kstatus: Stalled -> Degraded,
-- Reconciling -> Progressing, Ready -> Healthy.
-- Ready only says the check ran; InParity says whether staging matches:
-- False (unexpected findings at or above spec.failOn) -> Degraded,
-- Unknown (Inconclusive: too little data, never a pass) -> Progressing.
local hs = {}
local function condition(name)
  if obj.status == nil or obj.status.conditions == nil then return nil end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == name then return c end
  end
  return nil
end
local function isTrue(name)
  local c = condition(name)
  return c ~= nil and c.status == "True"
end
local function messageOf(name, default)
  local c = condition(name)
  if c ~= nil and c.message ~= nil and c.message ~= "" then return c.message end
  return default
end

if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Understudy operator"
  return hs
end
if obj.metadata.generation ~= nil and (obj.status.observedGeneration == nil or obj.status.observedGeneration < obj.metadata.generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(obj.metadata.generation)
  return hs
end
-- kstatus: Stalled means nothing changes until someone acts.
if isTrue("Stalled") then
  hs.status = "Degraded"
  hs.message = messageOf("Stalled", "Stalled")
  return hs
end
if isTrue("Reconciling") then
  hs.status = "Progressing"
  hs.message = messageOf("Reconciling", "Checking")
  return hs
end
if not isTrue("Ready") then
  hs.status = "Progressing"
  hs.message = messageOf("Ready", "Waiting for the first run")
  return hs
end
local failOn = "warning"
if obj.spec ~= nil and obj.spec.failOn ~= nil then failOn = obj.spec.failOn end
local verdict = nil
if obj.status.summary ~= nil then verdict = obj.status.summary.verdict end
local inParity = condition("InParity")
if (inParity ~= nil and inParity.status == "False") or (inParity == nil and verdict == "Drifted") then
  hs.status = "Degraded"
  hs.message = "Drift at or above " .. failOn .. ": " .. messageOf("InParity", "Drifted")
  return hs
end
if (inParity ~= nil and inParity.status == "True") or (inParity == nil and verdict == "InParity") then
  hs.status = "Healthy"
  hs.message = messageOf("InParity", "In parity")
  return hs
end
hs.status = "Progressing"
hs.message = "Inconclusive (never a pass): " .. messageOf("InParity", "too little data to tell")
return hs
