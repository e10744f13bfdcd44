-- Argo CD health of a StagingEnvironment.
-- Runs in gopher-lua (Lua 5.1) with only the base and table libraries: no string.*.
-- Argo CD treats a custom resource without a health check as Healthy
-- (argoproj/argo-cd#15723). Follows kstatus: Stalled -> Degraded,
-- Reconciling -> Progressing, Ready -> Healthy.
-- Expired -> Suspended: the environment was torn down when its TTL passed and
-- the resource stays, so automated sync has nothing to re-create; it is not a
-- failure (no Degraded alert every time a preview ages out) and it will not
-- progress by itself (Progressing would hold sync waves forever).
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
if obj.status.phase == "Expired" then
  if isTrue("Reconciling") then
    hs.status = "Progressing"
    hs.message = "Expired, tearing down: " .. messageOf("Reconciling", "deleting its namespace")
    return hs
  end
  hs.status = "Suspended"
  hs.message = "Expired: " .. messageOf("Expired", messageOf("Ready", "torn down; the resource is kept until it is removed from Git"))
  return hs
end
-- kstatus: Stalled means nothing changes until someone acts.
if isTrue("Stalled") then
  hs.status = "Degraded"
  hs.message = messageOf("Stalled", "Stalled")
  return hs
end
if obj.metadata.deletionTimestamp ~= nil or obj.status.phase == "Terminating" then
  hs.status = "Progressing"
  hs.message = "Deleting the environment and its namespace"
  return hs
end
if obj.status.phase == "Suspended" then
  hs.status = "Suspended"
  hs.message = messageOf("Ready", "Scaled to zero")
  return hs
end
-- An update in progress (a new image, a resume) is Reconciling, whatever the phase says.
if isTrue("Reconciling") then
  hs.status = "Progressing"
  hs.message = messageOf("Reconciling", messageOf("Ready", "Reconciling"))
  return hs
end
if obj.status.phase == "Failed" or obj.status.phase == "Degraded" then
  hs.status = "Degraded"
  hs.message = messageOf("Ready", obj.status.phase)
  return hs
end
if not isTrue("Ready") then
  hs.status = "Progressing"
  hs.message = messageOf("Ready", "Reconciling")
  return hs
end
-- Ready: the copy is up. Its tests decide the rest.
local tests = condition("TestsPassed")
if tests ~= nil and tests.status == "False" then
  hs.status = "Degraded"
  hs.message = messageOf("TestsPassed", "Tests failed")
  return hs
end
if tests ~= nil and tests.status ~= "True" then
  hs.status = "Progressing"
  hs.message = messageOf("TestsPassed", "Tests running")
  return hs
end
hs.status = "Healthy"
hs.message = messageOf("Ready", "Ready")
if isTrue("BaselineStale") then hs.message = hs.message .. "; the baseline changed after the copy" end
return hs
