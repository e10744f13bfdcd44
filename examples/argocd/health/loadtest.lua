-- Argo CD health of a LoadTest.
-- Runs in gopher-lua (Lua 5.1) with only the base and table libraries: no string.*.
-- Follows kstatus: Stalled -> Degraded, Reconciling (waiting or running) ->
-- Progressing, Ready (the run finished) -> the verdict: Passed=True Healthy,
-- Passed=False Degraded, so a threshold a pull request broke turns it red.
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
if isTrue("Stalled") then
  hs.status = "Degraded"
  hs.message = messageOf("Stalled", "Stalled")
  return hs
end
if isTrue("Reconciling") then
  hs.status = "Progressing"
  hs.message = messageOf("Reconciling", "Running")
  return hs
end
if isTrue("Ready") then
  local passed = condition("Passed")
  if passed ~= nil and passed.status == "False" then
    hs.status = "Degraded"
    hs.message = messageOf("Passed", "A threshold was exceeded")
    return hs
  end
  if passed ~= nil and passed.status == "True" then
    hs.status = "Healthy"
    hs.message = messageOf("Passed", "Every threshold held")
    return hs
  end
end
hs.status = "Progressing"
hs.message = messageOf("Ready", "Waiting to run")
return hs
