-- Argo CD health of a Baseline (the admin's Application shows what the operator may not read).
-- Runs in gopher-lua (Lua 5.1) with only the base and table libraries: no string.*.
-- Argo CD treats a custom resource without a health check as Healthy
-- (argoproj/argo-cd#15723). Follows kstatus: Stalled -> Degraded,
-- Reconciling -> Progressing, Ready -> Healthy.
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
  hs.message = messageOf("Reconciling", "Checking access")
  return hs
end
if isTrue("Ready") then
  hs.status = "Healthy"
  hs.message = messageOf("Ready", "Ready")
  return hs
end
hs.status = "Progressing"
hs.message = messageOf("Ready", "Checking access")
return hs
